"""The one exception module of dondoc: every error class, and what its catcher does about it.

Like httpx's exception tree, the hierarchy is the documentation; each class maps to one action:

    DondocError                      one clear Vietnamese line to the user (exit 2), never a traceback
    ├── ConfigError                  alert the operator: fix dondoc.toml (or the bot token the
    │                                Telegram bot is refused with when it starts), nothing runs
    ├── AlreadyRunningError          stop: another `dondoc run` holds the instance lock
    ├── UnusableInputError           skip this document (or file) and report it; go on with the others
    ├── InputError                   refuse the command (exit 2): the user fixes the arguments or file
    │   ├── ReportInputError         `dondoc report`: period, unit, document or format
    │   └── BulletinInputError       `dondoc bulletin`: week, dates, draft file
    ├── NotConfiguredError           skip this channel and say so (it lacks its settings or secret)
    ├── InvalidSignatureError        reject the webhook request (HTTP 403)
    ├── WebhookRefusedError          answer the webhook request with its status (400, 411, 413)
    ├── BotCommandError              answer the bot user with the message: how to write the command
    ├── TokenExpiredError            refresh the Zalo OA's access token, then retry once
    └── DeliveryError                retry this message later, with backoff
        ├── RetryLaterError          retry after the server's `retry_after` seconds (or backoff)
        ├── MessageHeldError         hold this message and alert the operator (Zalo's 48-hour window)
        └── PermanentDeliveryError   record this message as failed and alert the operator (a refused
            │                        bot token too: it is not retried)
            └── AddressGoneError     stop this address (deactivate it), fail its queued messages, alert

The outbox (notifier.outbox) is the catcher of the DeliveryError branch; the command line
(scheduler.main) of DondocError.
"""

from __future__ import annotations


class DondocError(Exception):
    """Base of every error dondoc reports to a user as one clear line (never a traceback)."""


class ConfigError(DondocError):
    """The configuration file is missing, malformed or invalid: fix the file, nothing runs."""


class AlreadyRunningError(DondocError):
    """Another dondoc service holds the instance lock: do not start a second one."""


class UnusableInputError(DondocError):
    """An input document cannot be read (empty, binary junk, corrupt PDF): skip it and report."""


class InputError(DondocError):
    """A command's arguments or input file are wrong: refuse it, the user fixes them and reruns."""


class ReportInputError(InputError):
    """A report was asked with a wrong period, unknown unit or document, or format: fix and rerun."""


class BulletinInputError(InputError):
    """The bulletin cannot be drafted, rendered or sent as asked (bad week, draft file): fix and rerun."""


class NotConfiguredError(DondocError):
    """A channel lacks its configuration or secret: it is skipped with a log line, like Scrapy's."""


class InvalidSignatureError(DondocError):
    """A webhook request whose signature or secret token does not match: reject it (HTTP 403)."""


class WebhookRefusedError(DondocError):
    """A webhook request refused on its form (no usable length, too long, not a JSON object)."""

    def __init__(self, status: int, reason: str) -> None:
        """Keep the HTTP status the request is answered with, and the reason that is logged."""
        super().__init__(reason)
        self.status = status


class BotCommandError(DondocError):
    """A bot command (/xong, /dang, /giahan) that cannot be carried out: its message is the reply."""


class TokenExpiredError(DondocError):
    """The Zalo OA access token expired: refresh it, then send again once."""


class DeliveryError(DondocError):
    """A channel refused a message for now: retry later with backoff."""


class RetryLaterError(DeliveryError):
    """The channel is busy or unreachable now: retry after `retry_after` seconds (or backoff)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        """Keep the server's requested wait, when it gave one."""
        super().__init__(message)
        self.retry_after = retry_after


class MessageHeldError(DeliveryError):
    """The channel may not deliver now (e.g. outside Zalo's 48-hour window): hold it for the operator."""


class PermanentDeliveryError(DeliveryError):
    """A channel refused a message for good (bad address, message rejected): record and tell the operator."""


class AddressGoneError(PermanentDeliveryError):
    """The recipient blocked the bot or left: stop sending to this address and tell the operator."""
