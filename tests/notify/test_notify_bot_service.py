"""Invite codes and the webhook server for Telegram and Zalo over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest
from fake_apis import Reply, Request, serve
from notify_helpers import webhook
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from test_notify_onboarding import APP_ID, NOW, SECRET, UNIT, _seed, _signed, _update, _zalo_event

from crawler.config import ChannelsConfig, Config, ZaloConfig
from notifier.channels.zalo import FileTokenStore, ZaloChannel, ZaloTokens, last_interaction_reader
from notifier.onboarding import invite, invite_text


def test_invite_prints_code_and_instructions(engine: Engine) -> None:
    """The invite text names the unit, the code and how to send it on each app."""
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
    with sessions() as session:
        text = invite_text(invite(session, "Sở KH&CN Nghệ An", NOW), "Sở KH&CN Nghệ An")
    code = text.split(": ", 1)[1].split()[0]
    assert f"/start {code}" in text and "Sở KH&CN Nghệ An" in text and len(code) == 8


def test_webhook_server_telegram_and_zalo(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram gets its reply in the HTTP answer; Zalo's goes to the OA; bad secrets get 403."""
    monkeypatch.setenv("DONDOC_TELEGRAM_WEBHOOK_SECRET", "hook-secret")
    monkeypatch.setenv("DONDOC_ZALO_SECRET_KEY", SECRET)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
    with sessions() as session:
        first, second = (invite(session, UNIT, NOW) for _ in range(2))
    sent: list[tuple[str, str]] = []

    def oa(request: Request) -> Reply:
        sent.append((request.params["recipient"]["user_id"], request.params["message"]["text"]))
        return 200, {"error": 0, "message": "Success", "data": {"message_id": "m1"}}

    with serve(oa) as api:
        settings = ZaloConfig(app_id=APP_ID, api_base=api.base_url, oauth_base=api.base_url)
        zalo = ZaloChannel(
            settings,
            secret_key=SECRET,
            tokens=FileTokenStore(tmp_path / "tokens.json"),
            initial=ZaloTokens("A1", "R1"),
            last_interaction=last_interaction_reader(sessions),
            clock=lambda: NOW,
        )
        config = Config(channels=ChannelsConfig(zalo=settings))
        with webhook(config, sessions, {"zalo": zalo}, NOW) as base:
            update = json.dumps(_update(9, f"/start {first}")).encode()
            bad = httpx.post(
                f"{base}/telegram", content=update, headers={"X-Telegram-Bot-Api-Secret-Token": "x"}
            )
            assert bad.status_code == 403
            good = httpx.post(
                f"{base}/telegram", content=update, headers={"X-Telegram-Bot-Api-Secret-Token": "hook-secret"}
            )
            assert good.status_code == 200 and good.json()["method"] == "sendMessage"
            assert "Đăng ký thành công" in good.json()["text"]
            event = _zalo_event("u-5", second, NOW - dt.timedelta(minutes=1))
            assert (
                httpx.post(
                    f"{base}/zalo", content=event, headers={"X-ZEvent-Signature": "mac=00"}
                ).status_code
                == 403
            )
            assert httpx.post(f"{base}/zalo", content=event, headers=_signed(event)).status_code == 200
            assert httpx.post(f"{base}/nowhere", content=b"{}").status_code == 404
    assert len(sent) == 1 and sent[0][0] == "u-5" and "Đăng ký thành công" in sent[0][1]
