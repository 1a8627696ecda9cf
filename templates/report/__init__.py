"""Task report templates (HTML); a package so non-editable installs ship them."""
