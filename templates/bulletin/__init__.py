"""Bulletin templates (HTML for email and the web); a package so non-editable installs ship them."""
