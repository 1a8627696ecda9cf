"""Fixtures of the notifier tests: a throwaway SQLite database with every dondoc table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.storage.schema import Base


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite database file with every dondoc table."""
    eng = create_engine(f"sqlite:///{tmp_path / 'notify.sqlite3'}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the fresh database."""
    with Session(engine) as sess:
        yield sess
