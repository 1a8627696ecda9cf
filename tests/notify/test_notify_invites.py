"""`dondoc invite`: the bot's deep link and a QR code of it, configurable expiry, single use with a
clear answer on reuse."""

from __future__ import annotations

import datetime as dt
import re
import struct
from pathlib import Path

import pytest
from fake_apis import BOT_USER, Reply, Request, serve, telegram_ok
from sqlalchemy.orm import Session
from test_notify_onboarding import NOW, UNIT, _seed

import scheduler
from notifier.onboarding import (
    CANCELLED_CODE,
    EXPIRED_CODE,
    NOT_SUBSCRIBED,
    USED_CODE,
    Inbound,
    handle_inbound,
    invite,
)

_LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Z0-9]{8})")


def _config(tmp_path: Path, telegram: str) -> Path:
    """A config keeping its database in `tmp_path`, with the given [channels.telegram] lines."""
    path = tmp_path / "dondoc.toml"
    path.write_text(
        '[general]\ndatabase = "db.sqlite3"\n\n[channels]\ninvite_valid_days = 3\n\n'
        f"[channels.telegram]\n{telegram}\n",
        encoding="utf-8",
    )
    return path


def _png_size(path: Path) -> tuple[int, int]:
    """The width and height a PNG file declares (its IHDR chunk)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_invite_prints_the_deep_link_and_writes_its_qr_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With `bot_username` configured, the invite shows t.me/<bot>?start=<code>, writes a square PNG
    QR code of that link into --qr-dir, gives the Zalo steps and the configured expiry."""
    config = _config(tmp_path, 'bot_username = "@dondoc_nghean_bot"')
    argv = ["invite", "--config", str(config), "--unit", "Bộ Y tế", "--qr-dir", str(tmp_path / "qr")]
    assert scheduler.main(argv) == 0
    out = capsys.readouterr().out
    link = _LINK.search(out)
    assert link is not None and link.group(1) == "dondoc_nghean_bot"
    code = link.group(2)
    assert f"Mã mời cho “Bộ Y tế”: {code}" in out and f"gửi tin nhắn “{code}”" in out
    assert "hết hạn sau 3 ngày" in out
    png = tmp_path / "qr" / f"ma-moi-{code}.png"
    assert str(png) in out
    width, height = _png_size(png)
    assert width == height and width >= 21 * 8  # a QR symbol (at least 21 modules) at 8 px a module


def test_invite_asks_telegram_for_the_bot_name_when_not_configured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `bot_username`, getMe (one call to the local Bot API server) names the bot."""
    calls: list[str] = []

    def bot_api(request: Request) -> Reply:
        calls.append(request.path)
        return telegram_ok(BOT_USER)

    with serve(bot_api) as api:
        monkeypatch.setenv("DONDOC_TELEGRAM_TOKEN", "42:invite-token")
        config = _config(tmp_path, f'api_base = "{api.base_url}"')
        argv = ["invite", "--config", str(config), "--unit", "Bộ Y tế", "--qr-dir", str(tmp_path)]
        assert scheduler.main(argv) == 0
    out = capsys.readouterr().out
    link = _LINK.search(out)
    assert link is not None and link.group(1) == BOT_USER["username"]
    assert [path.rsplit("/", 1)[-1] for path in calls] == ["getMe"]
    assert "42:invite-token" not in out


def test_invite_without_a_bot_name_still_gives_the_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No username and no token: the code and `/start CODE` are printed, no QR file is written."""
    monkeypatch.delenv("DONDOC_TELEGRAM_TOKEN", raising=False)
    config = _config(tmp_path, "")
    argv = ["invite", "--config", str(config), "--unit", "Bộ Y tế", "--qr-dir", str(tmp_path)]
    assert scheduler.main(argv) == 0
    out = capsys.readouterr().out
    assert re.search(r"/start [A-Z0-9]{8}", out) and "bot_username" in out and "t.me" not in out
    assert not list(tmp_path.glob("*.png"))


def test_reused_cancelled_and_expired_codes_get_their_own_answers(session: Session) -> None:
    """A code used by another chat, a code reused after /huy, and an expired code each say what
    happened; the same chat again (an update seen twice) is still a success."""
    _seed(session)

    def say(text: str, chat: str, at: dt.datetime = NOW) -> str:
        return handle_inbound(session, Inbound("telegram", chat, text, at))

    code = invite(session, UNIT, NOW, valid_days=2)
    assert "Đăng ký thành công" in say(f"/start {code}", "777")
    assert "Đăng ký thành công" in say(f"/start {code}", "777")
    assert say(f"/start {code}", "888") == USED_CODE
    assert "Đã hủy" in say("/huy", "777")
    assert say(f"/start {code}", "777") == CANCELLED_CODE
    assert say("/viec", "777") == NOT_SUBSCRIBED
    late = invite(session, UNIT, NOW, valid_days=2)
    assert say(f"/start {late}", "999", NOW + dt.timedelta(days=3)) == EXPIRED_CODE
