"""Jinja templates shipped with dondoc (digests, email, bulletin, reports); found via importlib.resources."""
