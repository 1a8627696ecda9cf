"""Data package: the generated files of the bundled demo site (see crawler/site/build_site.py)."""
