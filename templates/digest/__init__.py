"""Digest templates (console, Telegram, Zalo, email); a package so non-editable installs ship them."""
