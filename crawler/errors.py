"""The one exception module: each class name says what the caller should do about it."""


class DondocError(Exception):
    """Base of every error dondoc reports to a user as one clear line (never a traceback)."""


class ConfigError(DondocError):
    """The configuration file is missing, malformed or invalid: fix the file, nothing runs."""


class UnusableInputError(DondocError):
    """An input document cannot be read (empty, binary junk, corrupt PDF): skip it and report."""


class SourceFailedError(DondocError):
    """One source failed during a crawl: record it for that source and go on with the others."""


class DeliveryError(DondocError):
    """A channel refused a message for now: retry later with backoff."""


class PermanentDeliveryError(DeliveryError):
    """A channel refused a message for good (blocked bot, bad address): record and tell the operator."""


class AlreadyRunningError(DondocError):
    """Another dondoc service holds the instance lock: do not start a second one."""
