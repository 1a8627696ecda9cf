"""dondoc notifier side: digests, channels, outbox delivery, bulletins and reports."""
