"""dondoc crawler side: configuration, crawling, documents, task extraction, storage and the differ."""
