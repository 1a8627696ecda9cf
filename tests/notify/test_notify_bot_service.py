"""Invite codes and the webhook server for Telegram and Zalo over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest
from fake_apis import BotServer, Reply, Request, serve, telegram_update
from notify_helpers import webhook
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from test_notify_onboarding import APP_ID, NOW, SECRET, UNIT, _seed, _signed, _zalo_event

from crawler.config import ChannelsConfig, Config, TelegramConfig, ZaloConfig
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
    """Telegram's reply goes through the Bot API, Zalo's through the OA; bad secrets get 403."""
    monkeypatch.setenv("DONDOC_TELEGRAM_WEBHOOK_SECRET", "hook-secret")
    monkeypatch.setenv("DONDOC_TELEGRAM_TOKEN", "42:service-token")
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

    bot = BotServer()
    with serve(oa) as api, serve(bot) as bot_api:
        settings = ZaloConfig(app_id=APP_ID, api_base=api.base_url, oauth_base=api.base_url)
        zalo = ZaloChannel(
            settings,
            secret_key=SECRET,
            tokens=FileTokenStore(tmp_path / "tokens.json"),
            initial=ZaloTokens("A1", "R1"),
            last_interaction=last_interaction_reader(sessions),
            clock=lambda: NOW,
        )
        telegram = TelegramConfig(api_base=bot_api.base_url)
        config = Config(channels=ChannelsConfig(zalo=settings, telegram=telegram))
        with webhook(config, sessions, {"zalo": zalo}, NOW) as base:
            update = json.dumps(telegram_update(9, "555", f"/start {first}", int(NOW.timestamp()))).encode()
            bad = httpx.post(
                f"{base}/telegram", content=update, headers={"X-Telegram-Bot-Api-Secret-Token": "x"}
            )
            assert bad.status_code == 403
            good = httpx.post(
                f"{base}/telegram", content=update, headers={"X-Telegram-Bot-Api-Secret-Token": "hook-secret"}
            )
            assert good.status_code == 200 and len(bot.sent) == 1
            assert bot.sent[0][0] == "555" and "Đăng ký thành công" in bot.sent[0][1]
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
