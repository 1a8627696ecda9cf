"""`dondoc user add`, `dondoc web link`, `dondoc web feeds` and `dondoc web revoke`, run in process."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import scheduler
from crawler.storage.webaccess import CALENDAR_LINK, UNIT_LINK, find_user, grant_of
from tests.webapp.webdata import HEALTH, Seeded
from web.auth import password_matches

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.mark.slow
def test_dondoc_web_serves_the_login_page_on_loopback(cli_db: Engine, tmp_path: Path) -> None:
    """`dondoc web --port N` starts uvicorn on 127.0.0.1 and answers the login page in Vietnamese."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DONDOC_WEB_SECRET": "bi-mat-lenh", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "scheduler", "web", "--port", str(port)], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        assert f"http://127.0.0.1:{port}/" in process.stdout.readline()
        page = _get_when_listening(f"http://127.0.0.1:{port}/dang-nhap")
        assert page.status_code == 200 and "Đăng nhập" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/van-hanh").status_code == 303
    finally:
        process.terminate()
        process.wait(30)


def _get_when_listening(url: str) -> httpx.Response:
    """GET the URL, retrying while the server has printed its address but is not accepting yet."""
    for _ in range(100):
        try:
            return httpx.get(url)
        except httpx.ConnectError:
            time.sleep(0.1)
    return httpx.get(url)
