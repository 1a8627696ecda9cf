"""Developer tools run by hand, not shipped with the package (pyproject installs crawler/, notifier/
and service/ only): `python -m tools.build_site` regenerates the bundled demo site."""
