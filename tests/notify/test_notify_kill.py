"""Killing a delivery process (SIGKILL) while a server holds a request, then restarting it.

A real subprocess (`delivery_process.py`, one outbox delivery run) sends nine outbox messages (three each to
Telegram, Zalo and email) to local servers. One server holds one request; the test kills the
process while it waits, restarts it with --recover, and counts what each server accepted:
- killed before the server accepted the request: every message arrives exactly once;
- killed after the server accepted it but before its answer arrived (the lost answer): that one
  message arrives twice on Telegram and Zalo (no idempotency key exists there), and on email twice
  with the same Message-ID, which is the documented at-least-once window. Every other message
  arrives exactly once, and a further run sends nothing.
The soak repeats this at scale: 1,000 messages, 50 kills at moments the servers choose (right after
they accepted a message, the worst moment), nothing lost, at most one duplicate per kill, counted.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from hold_servers import Hold, chat_server, smtp_server
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.storage.engine import make_engine
from crawler.storage.outbox import PlannedMessage, write_planned
from crawler.storage.recipients import recipient_id
from crawler.storage.schema import Base, ChannelAddress, OutboxMessage
from notifier.outbox import message_key

ROOT = Path(__file__).resolve().parents[2]
DELIVERY_PROCESS = Path(__file__).resolve().parent / "delivery_process.py"
ADDRESSES = {"telegram": "1001", "zalo": "u-1", "email": "vp@skhcn.example.gov.vn"}
MARKER = "[giữ]"


def _texts(held: str) -> list[tuple[str, str]]:
    """(channel, text) of the nine messages in outbox order; the second of `held`'s carries the marker."""
    return [
        (channel, f"Nhắc việc số {n} qua {channel}{' ' + MARKER if channel == held and n == 2 else ''}")
        for n in (1, 2, 3)
        for channel in ADDRESSES
    ]


def _setup(engine: Engine, held: str) -> list[tuple[str, str]]:
    """Create the tables, a recipient who wrote to the Zalo OA just now, and the nine outbox rows."""
    Base.metadata.create_all(engine)
    now = dt.datetime.now(dt.UTC)
    texts = _texts(held)
    with Session(engine) as session:
        recipient = recipient_id(session, "Sở KH&CN Nghệ An")
        session.add(
            ChannelAddress(recipient_id=recipient, channel="zalo", address="u-1", last_interaction_at=now,
                           origin="invite")
        )
        planned = [
            PlannedMessage(
                message_key("kill", ch, text), ch, ADDRESSES[ch], text, text, None, "daily:2025-10-01"
            )
            for ch, text in texts
        ]
        write_planned(session, recipient, planned, now)
        session.commit()
    return texts


def _config(tmp_path: Path, chat_url: str, smtp_port: int) -> Path:
    """A config file pointing every channel at the local servers."""
    path = tmp_path / "dondoc.toml"
    path.write_text(
        f"""
[general]
output_dir = "{tmp_path / "out"}"

[channels.telegram]
api_base = "{chat_url}"

[channels.zalo]
app_id = "app-1"
api_base = "{chat_url}"
oauth_base = "{chat_url}"

[channels.email]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "dondoc@skhcn.example.gov.vn"
""",
        encoding="utf-8",
    )
    return path


def _env(database_url: str) -> dict[str, str]:
    """The child's environment: channel secrets and the database URL."""
    env = dict(os.environ)
    env.update(
        DONDOC_DATABASE_URL=database_url,
        DONDOC_TELEGRAM_TOKEN="42:kill-test",
        DONDOC_ZALO_SECRET_KEY="oa-secret",
        DONDOC_ZALO_ACCESS_TOKEN="A1",
        DONDOC_ZALO_REFRESH_TOKEN="R1",
    )
    return env


def _deliver(config: Path, url: str, *extra: str) -> subprocess.Popen[str]:
    """Start one delivery process on the database at `url`."""
    command = [sys.executable, str(DELIVERY_PROCESS), "--config", str(config), *extra]
    return subprocess.Popen(
        command, cwd=ROOT, env=_env(url), text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


@pytest.mark.parametrize("held", ["telegram", "zalo", "email"])
@pytest.mark.parametrize("mode", ["before_accept", "lost_answer"])
def test_kill_during_delivery_then_restart(tmp_path: Path, held: str, mode: str) -> None:
    """Exactly once for all but a lost answer, which is resent once (same Message-ID for email)."""
    kill_and_restart(tmp_path, f"sqlite:///{tmp_path / 'dondoc.sqlite3'}", held, mode)


def test_kill_during_delivery_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    """The same guarantee with the outbox on PostgreSQL (claims are conditional UPDATEs there too)."""
    kill_and_restart(tmp_path, postgres_url, "zalo", "before_accept")


def kill_and_restart(tmp_path: Path, url: str, held: str, mode: str) -> None:
    """Kill a delivery process while `held`'s server holds a request, restart it, count deliveries."""
    engine = make_engine(url)
    texts = _setup(engine, held)
    hold = Hold(marker=MARKER, mode=mode)
    with chat_server(hold) as chat_url, smtp_server(hold) as smtp_port:
        config = _config(tmp_path, chat_url, smtp_port)
        child = _deliver(config, url)
        try:
            assert hold.holding.wait(60), child.communicate(timeout=5)[0]
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        with Session(engine) as session:
            statuses = Counter(session.scalars(select(OutboxMessage.status)))
        assert statuses["sending"] == 1 and statuses["sent"] == texts.index((held, _marked(texts, held)))
        restarted = _deliver(config, url, "--recover")
        output = restarted.communicate(timeout=120)[0]
        assert restarted.returncode == 0, output
        again = _deliver(config, url)
        assert "Đã gửi 0" in again.communicate(timeout=120)[0]
    counts = Counter((channel, text) for channel, _, text, _ in hold.accepted)
    expected = Counter({pair: 1 for pair in texts})
    if mode == "lost_answer":
        expected[(held, _marked(texts, held))] = 2
    assert counts == expected
    mail_ids = [mid for channel, _, _, mid in hold.accepted if channel == "email"]
    assert len(set(mail_ids)) == 3  # a resent email keeps its Message-ID
    with Session(engine) as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {"sent"}
    engine.dispose()


def _marked(texts: list[tuple[str, str]], held: str) -> str:
    """The text of the held message."""
    return next(text for channel, text in texts if channel == held and MARKER in text)


SOAK_MESSAGES = 1000
SOAK_KILLS = 50
SOAK_STEP = 10  # messages the servers accept between two kills
SOAK_LIMIT_S = 120.0


def _soak_setup(engine: Engine) -> list[tuple[str, str]]:
    """Tables, one recipient on three channels, and SOAK_MESSAGES outbox rows spread over them."""
    Base.metadata.create_all(engine)
    now = dt.datetime.now(dt.UTC)
    channels = list(ADDRESSES)
    texts = [(channels[n % 3], f"Nhắc việc số {n} qua {channels[n % 3]}") for n in range(SOAK_MESSAGES)]
    with Session(engine) as session:
        recipient = recipient_id(session, "Sở KH&CN Nghệ An")
        session.add(ChannelAddress(recipient_id=recipient, channel="zalo", address="u-1",
                                   last_interaction_at=now, origin="invite"))
        planned = [PlannedMessage(message_key("soak", ch, text), ch, ADDRESSES[ch], text, text, None,
                                  "daily:2025-10-01") for ch, text in texts]
        write_planned(session, recipient, planned, now)
        session.commit()
    return texts


def _wait_for(hold: Hold, count: int, child: subprocess.Popen[str]) -> None:
    """Wait until the servers accepted `count` messages in all, or the child ended."""
    waited = 0.0
    while len(hold.accepted) < count and child.poll() is None and waited < SOAK_LIMIT_S:
        time.sleep(0.005)
        waited += 0.005


@pytest.mark.slow
def test_a_thousand_messages_survive_fifty_kills(tmp_path: Path) -> None:
    """1,000 messages over Telegram, Zalo and email; the delivery process is SIGKILLed 50 times in the
    middle of its work and restarted with --recover each time. Nothing is lost; a message is sent
    twice only when a kill fell between the server accepting it and the outbox marking it sent (at
    most one per kill), every duplicate is counted, and emails keep their Message-ID."""
    url = f"sqlite:///{tmp_path / 'dondoc.sqlite3'}"
    engine = make_engine(url)
    texts = _soak_setup(engine)
    hold = Hold()
    kills = 0
    with chat_server(hold) as chat_url, smtp_server(hold) as smtp_port:
        config = _config(tmp_path, chat_url, smtp_port)
        for round_ in range(SOAK_KILLS):
            child = _deliver(config, url, "--recover")
            _wait_for(hold, (round_ + 1) * SOAK_STEP, child)
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
                kills += 1
            child.communicate(timeout=30)
        final = _deliver(config, url, "--recover")
        output = final.communicate(timeout=300)[0]
        assert final.returncode == 0, output
    counts = Counter(text for _, _, text, _ in hold.accepted)
    duplicates = sum(n - 1 for n in counts.values())
    print(f"\n{SOAK_MESSAGES} tin, {kills} lần dừng đột ngột, {duplicates} tin gửi hai lần")
    assert kills == SOAK_KILLS
    assert set(counts) == {text for _, text in texts}  # none lost
    assert duplicates <= kills and max(counts.values()) <= 2
    by_text: dict[str, set[str]] = {}
    for channel, _, text, message_id in hold.accepted:
        if channel == "email":
            by_text.setdefault(text, set()).add(message_id)
    assert all(len(ids) == 1 for ids in by_text.values())  # a resent email keeps its Message-ID
    with Session(engine) as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {"sent"}
    engine.dispose()
