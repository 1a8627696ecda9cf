"""Data package: the generated files of the bundled demo site (see tools/build_site.py)."""
