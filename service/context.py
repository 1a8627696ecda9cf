"""What every command and job shares: the clock in Asia/Ho_Chi_Minh, UTC for storage, sessions
on an up-to-date database and one-line errors (the output folder is `Config.output_path`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> dt.date:
    """Today's date in Asia/Ho_Chi_Minh, the default of every --as-of."""
    return dt.datetime.now(TIMEZONE).date()


def now() -> dt.datetime:
    """The current time, UTC-aware (the storage's timestamps are UTC-aware too)."""
    return dt.datetime.now(dt.UTC)


def safe_url(url: str) -> str:
    """A database URL with any password removed, fit for printing and logs."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (absolute); None for other databases and in-memory SQLite."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).resolve()


@contextmanager
def open_session(url: str) -> Iterator[Session]:
    """A session on an up-to-date database: migrations are applied first, at every start."""
    from crawler.storage.engine import make_engine, session_factory, upgrade_database

    upgrade_database(url)
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def short_error(exc: BaseException) -> str:
    """An exception as one short line (type and first line of the message), secrets masked."""
    from crawler.redaction import redact

    first = str(exc).splitlines()[0] if str(exc) else ""
    return redact(f"{type(exc).__name__}: {first}")[:300]

