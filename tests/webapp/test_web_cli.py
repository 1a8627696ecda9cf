"""`dondoc user add`, `dondoc web link`, `dondoc web feeds` and `dondoc web revoke`, run in process."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import scheduler
from crawler.storage.webaccess import CALENDAR_LINK, UNIT_LINK, find_user, grant_of
from tests.webapp.webdata import HEALTH, Seeded
from web.auth import password_matches


@pytest.fixture
def cli_db(web_engine: Engine, seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The seeded database as the commands' database, with no config file."""
    monkeypatch.setenv("DONDOC_DATABASE_URL", web_engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("DONDOC_CONFIG", raising=False)
    monkeypatch.chdir(web_engine.url.database.rsplit("/", 1)[0])  # type: ignore[union-attr]
    return web_engine


def test_user_add_stores_a_hash_of_the_password(cli_db: Engine, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DONDOC_WEB_PASSWORD", "mot-mat-khau-moi")
    assert scheduler.main(["user", "add", "lan", "--role", "operator"]) == 0
    assert "người vận hành" in capsys.readouterr().out
    with Session(cli_db) as session:
        user = find_user(session, "lan")
    assert user is not None and user.role == "operator"
    assert "mot-mat-khau-moi" not in user.password_hash
    assert password_matches(user.password_hash, "mot-mat-khau-moi")


def test_user_add_refuses_a_short_password(cli_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DONDOC_WEB_PASSWORD", "ngan")
    assert scheduler.main(["user", "add", "lan", "--role", "editor"]) == 2


def test_link_feeds_and_revoke(cli_db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert scheduler.main(["web", "link", "--unit", HEALTH, "--days", "3"]) == 0
    link = re.search(r"/lien-ket/(\S+)", capsys.readouterr().out)
    assert scheduler.main(["web", "feeds"]) == 0
    feed = re.search(r"/lich/(\S+)\.ics", capsys.readouterr().out)
    assert link and feed
    now = dt.datetime.now(dt.UTC)
    with Session(cli_db) as session:
        grant = grant_of(session, link.group(1), UNIT_LINK, now)
        assert grant is not None and grant.unit == HEALTH
        assert grant_of(session, link.group(1), UNIT_LINK, now + dt.timedelta(days=4)) is None
        assert grant_of(session, feed.group(1), CALENDAR_LINK, now) is not None
    assert scheduler.main(["web", "revoke", link.group(1)]) == 0
    with Session(cli_db) as session:
        assert grant_of(session, link.group(1), UNIT_LINK, now) is None
    assert scheduler.main(["web", "link", "--unit", "Bộ Không Có"]) == 2
