"""Personal links in digests: the outbox keeps a placeholder, delivery puts a fresh token in, and the
link opens the recipient's unit on the web application."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from notify_helpers import AS_OF, add_document, add_task
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient
from test_notify_outbox import NOW, FakeChannel, make_config, outbox, seed_tasks

from crawler.config import Config, WebConfig, config_from_dict, load_config
from crawler.errors import ConfigError
from crawler.storage.schema import WebToken
from crawler.storage.webaccess import TOKEN_BYTES, TOKEN_CHARS, UNIT_LINK, grant_of
from notifier.digest import Digest, UnitLink
from notifier.outbox import deliver_pending, enqueue_digests
from notifier.paging import digest_messages
from notifier.personal_links import placeholder
from notifier.planning import digest_for, load_inputs
from web.app import create_app

BASE = "https://dondoc.nghean.gov.vn"
UNIT = "Sở Khoa học và Công nghệ"
LINK = re.compile(re.escape(BASE) + r"/lien-ket/([A-Za-z0-9_-]+)")


def _with_web(config: Config, base_url: str = BASE, days: int = 30) -> Config:
    """The config with the web application's public address set."""
    return dataclasses.replace(config, web=WebConfig(base_url=base_url, link_days=days))


def test_token_length_is_what_the_placeholder_reserves() -> None:
    import secrets

    assert {len(secrets.token_urlsafe(TOKEN_BYTES)) for _ in range(50)} == {TOKEN_CHARS}
    assert len(placeholder(123456)) == TOKEN_CHARS


def test_the_outbox_keeps_no_token_and_each_delivery_issues_one_that_opens_the_unit(
        any_engine: Engine, tmp_path: Path) -> None:
    channel = FakeChannel(script=[OSError("mạng chập chờn")])
    with Session(any_engine) as session:
        seed_tasks(session)
        config = _with_web(make_config(tmp_path), days=14)
        assert enqueue_digests(session, config, AS_OF, "daily", now=NOW) == 1
        stored = outbox(session)[0]
        assert LINK.search(stored.body) is None and placeholder(1)[:8] in stored.body
        assert session.scalar(select(func.count()).select_from(WebToken)) == 0
        sending = dt.datetime.now(dt.UTC)  # the web application checks links against the real clock
        assert deliver_pending(session, {"fake": channel}, sending, config=config).retried == 1
        later = sending + dt.timedelta(hours=1)
        assert deliver_pending(session, {"fake": channel}, later, config=config).sent == 1
        sent = channel.accepted[0]
        found = LINK.search(sent.body)
        assert found is not None and "Xem và báo cáo trên trang web" in sent.body
        token = found[1]
        assert len(token) == TOKEN_CHARS and token not in outbox(session)[0].body
        grant = grant_of(session, token, UNIT_LINK, later)
        assert grant is not None and grant.unit == UNIT
        assert grant_of(session, token, UNIT_LINK, later + dt.timedelta(days=14)) is None  # expired
        assert session.scalar(select(func.count()).select_from(WebToken)) == 2  # the failed try had its own
    app = create_app(any_engine, "bi-mat-thu-nghiem", as_of=AS_OF)
    with TestClient(app, follow_redirects=False) as client:
        opened = client.get(f"/lien-ket/{token}")
        assert opened.status_code == 303 and opened.headers["location"] == f"/don-vi/{quote(UNIT, safe='')}"
        assert "Báo cáo quý III" in client.get(opened.headers["location"]).text


def test_without_a_public_address_digests_carry_no_link(session: Session, tmp_path: Path) -> None:
    channel = FakeChannel()
    seed_tasks(session)
    enqueue_digests(session, make_config(tmp_path), AS_OF, "daily", now=NOW)
    deliver_pending(session, {"fake": channel}, NOW)
    assert "/lien-ket/" not in channel.accepted[0].body and "trang web" not in channel.accepted[0].body


def test_a_long_chat_digest_has_the_link_once_on_its_last_message_within_the_limit(session: Session) -> None:
    doc = add_document(session, "99/KH-UBND", "http://127.0.0.1/vb?docid=99")
    for number in range(12):
        add_task(session, f"k{number}", f"Triển khai nội dung số {number} của kế hoạch " + "chi tiết " * 30,
                 [UNIT], dt.date(2025, 9, 1 + number), document=doc)
    session.commit()
    inputs = load_inputs(session, None, AS_OF)
    digest = digest_for(inputs, UNIT, [UNIT], AS_OF, "daily:2025-10-01")
    assert isinstance(digest, Digest)
    linked = dataclasses.replace(digest, links=(UnitLink(UNIT, f"{BASE}/lien-ket/{placeholder(7)}"),))
    for channel in ("telegram", "zalo"):
        messages = digest_messages(linked, channel)
        assert len(messages) > 1
        assert [placeholder(7) in m.body for m in messages] == [False] * (len(messages) - 1) + [True]
        limit = 4096 if channel == "telegram" else 2000
        assert all(len(m.body.encode("utf-16-le")) // 2 <= limit for m in messages)


@pytest.mark.parametrize("base_url", ["ftp://dondoc.vn", "dondoc.nghean.gov.vn", "https://x.vn/?a=1"])
def test_a_public_address_that_is_not_a_web_address_is_refused(tmp_path: Path, base_url: str) -> None:
    path = tmp_path / "dondoc.toml"
    path.write_text(f'[web]\nbase_url = "{base_url}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"web\.base_url"):
        load_config(path)
    assert config_from_dict({"web": {"base_url": BASE}}, "x").web.base_url == BASE
