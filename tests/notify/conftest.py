"""Fixtures of the notifier tests: a throwaway SQLite database with every dondoc table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.storage.engine import make_engine
from crawler.storage.schema import Base


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite database file with every dondoc table (fast, for most notifier tests)."""
    eng = make_engine(f"sqlite:///{tmp_path / 'notify.sqlite3'}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def any_engine(db_url: str) -> Iterator[Engine]:
    """A fresh database on SQLite and on PostgreSQL (the shared `db_url` fixture), every table created."""
    eng = make_engine(db_url)
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the fresh database."""
    with Session(engine) as sess:
        yield sess
