"""Alembic environment: runs migrations on the connection or URL that engine.upgrade_database hands in."""

from __future__ import annotations

import os
from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

from crawler.config import DATABASE_URL_ENV
from crawler.storage.engine import make_engine
from crawler.storage.schema import Base, UtcDateTime

target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, _context: Any) -> str | Literal[False]:
    """Write UtcDateTime columns as the type they store, so migrations never import dondoc's types."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    """Configure the migration context on an open connection and run the migrations in one transaction."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=context.config.attributes.get("render_as_batch", connection.dialect.name == "sqlite"),
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    """The database URL: the one upgrade_database passed in, else DONDOC_DATABASE_URL."""
    url = context.config.attributes.get("url") or os.environ.get(DATABASE_URL_ENV)
    if not url:
        raise RuntimeError(f"no database URL: pass one to upgrade_database or set {DATABASE_URL_ENV}")
    return str(url)


def run_migrations_online() -> None:
    """Run migrations on the given connection, or on a fresh engine for the configured URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as fresh:
            _run(fresh)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; use upgrade_database")
run_migrations_online()
