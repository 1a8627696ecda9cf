"""Crawl tests: the bundled site, the trap sites and the worker subprocess."""
