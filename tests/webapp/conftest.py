"""Fixtures of the web tests: a seeded SQLite database and the application on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from crawler.storage.engine import make_engine, upgrade_database
from tests.webapp.webdata import AS_OF, Seeded, seed
from web.app import create_app


@pytest.fixture
def web_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database file."""
    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    upgrade_database(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def seeded(web_engine: Engine) -> Seeded:
    """The seeded rows."""
    with Session(web_engine) as session:
        return seed(session)


@pytest.fixture
def client(web_engine: Engine, seeded: Seeded) -> Iterator[TestClient]:
    """A browser-like client of the application (cookies kept, redirects not followed)."""
    app = create_app(web_engine, "bi-mat-thu-nghiem", as_of=AS_OF)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client
