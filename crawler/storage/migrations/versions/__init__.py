"""Migration revisions: a single initial one until the first release (see crawler.storage.regenerate)."""
