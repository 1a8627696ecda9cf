"""Fixtures for bulletin and report tests: a fresh SQLite database, and the seed articles in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from crawler.storage.schema import Base

from .rows import ARTICLES, add_rows


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A session on a fresh SQLite file with every dondoc table."""
    engine = create_engine(f"sqlite:///{tmp_path / 'dondoc.sqlite'}")
    Base.metadata.create_all(engine)
    with Session(engine) as opened:
        yield opened
    engine.dispose()


@pytest.fixture
def article_ids(session: Session) -> list[int]:
    """The ARTICLES inserted, their ids in ARTICLES order."""
    return add_rows(session, ARTICLES)
