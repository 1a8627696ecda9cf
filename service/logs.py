"""Service logging: one line per event on stderr, as key=value text or JSON, with secrets masked."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

from crawler.config import Config
from crawler.redaction import SECRET_FILTER, protect_config
from service.context import TIMEZONE

EVENT_FIELDS = ("job_id", "source", "unit", "outcome", "duration_s")


QUIET_LOGGERS = ("alembic", "apscheduler")


def _event_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields (job, source, unit, outcome, duration) a log call passed in `extra`."""
    return {name: getattr(record, name) for name in EVENT_FIELDS if hasattr(record, name)}


class KeyValueFormatter(logging.Formatter):
    """One line per event: time, level, logger, message, then key=value fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Append the event fields to the classic line; tracebacks are folded onto the same line."""
        line = super().format(record).replace("\n", " | ")
        fields = " ".join(f"{key}={value}" for key, value in _event_fields(record).items())
        return f"{line} {fields}" if fields else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line (--log-json), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        """The event as JSON: ts, level, logger, message, the event fields, and the error if any."""
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, TIMEZONE).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            **_event_fields(record),
        }
        if record.exc_info or record.exc_text:
            entry["error"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int, as_json: bool) -> None:
    """Send logs to stderr, one line per event, as key=value text or JSON; the secrets the default
    config names are masked from here on (load_cli_config adds those of the loaded config)."""
    protect_config(Config())
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(SECRET_FILTER)  # records made without the factory (makeLogRecord) too
    handler.setFormatter(JsonFormatter() if as_json else KeyValueFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in QUIET_LOGGERS:
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
