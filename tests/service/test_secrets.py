"""No secret in any output: real `dondoc` subprocesses with distinctive secrets in the environment, at
default verbosity and at -vv, with a local Telegram API, and Zalo, SMTP and a source on closed loopback
ports so errors are logged. stdout, stderr, log files, the outbox, `dondoc status` and the database are
searched for every secret.

Waits poll the database or the fake server with a generous safety limit; nothing asserts on time.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import dondoc_env, free_port, run_dondoc, source_tables, start_dondoc, wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notify"))

from fake_apis import BOT_USER, FakeApi, Reply, Request, serve, telegram_error, telegram_ok

pytestmark = pytest.mark.slow

TELEGRAM_TOKEN = "987654321:TgSecretTokenABCdefGHIjkl_mno-PQR"
SECRETS = {
    "DONDOC_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
    "DONDOC_ZALO_SECRET_KEY": "ZaloSecretKey-7f3a91c2e4",
    "DONDOC_ZALO_ACCESS_TOKEN": "ZaloAccessToken-b81d55e0aa",
    "DONDOC_ZALO_REFRESH_TOKEN": "ZaloRefreshToken-0c9e44d1ff",
    "DONDOC_SMTP_PASSWORD": "SmtpPassword-5e6f7a8b9c",
    "DONDOC_TELEGRAM_WEBHOOK_SECRET": "WebhookSecret-1a2b3c4d5e",
}
ERRORS_QUERY = "SELECT channel, last_error FROM outbox WHERE last_error IS NOT NULL"
TOKEN_FILE = "zalo-tokens.json"  # the Zalo token store holds tokens by design (mode 0600)


def telegram(request: Request) -> Reply:
    """A Bot API that knows the bot, takes its menu, has no updates, and refuses messages echoing the
    request path (which holds the token), as a careless proxy might."""
    if request.path.endswith("/getMe"):
        return telegram_ok(BOT_USER)
    if request.path.endswith(("/setMyCommands", "/deleteWebhook")):
        return telegram_ok(True)
    if request.path.endswith("/getUpdates"):
        return telegram_ok([])
    return telegram_error(400, f"Bad Request: chat not found ({request.path})")


@pytest.fixture
def bot_api() -> Iterator[FakeApi]:
    """The local Telegram Bot API."""
    with serve(telegram) as api:
        yield api


def write_secret_config(folder: Path, api_base: str) -> Path:
    """A config whose operator is reached on Telegram, Zalo and email (the latter two on closed
    ports) and whose one source is on a closed port and alerts at its first failure."""
    closed = f"http://127.0.0.1:{free_port()}"
    tables = source_tables(closed, ["demo-baochinhphu"], {"name": "khong-toi", "failures_before_alert": 1})
    text = f"""
[general]
database = "dondoc.sqlite3"
output_dir = "out"
crawl_time_limit_s = 120
operator_recipient = "Tổ vận hành"

[schedules]
daily_digest = ""
weekly_digest = ""
bulletin_draft = ""
housekeeping = ""
delivery_interval_seconds = 1

[service]
health_port = 0
telegram_polling = true

[channels.telegram]
api_base = "{api_base}"

[channels.zalo]
app_id = "1234"
api_base = "{closed}"
zns_template_id = "999"

[channels.email]
host = "127.0.0.1"
port = {free_port()}
username = "dondoc"

[[recipients]]
name = "Tổ vận hành"
units = []
channels = [{{ type = "telegram", address = "42" }}, {{ type = "zalo", address = "777" }},
            {{ type = "email", address = "op@example.gov.vn" }}]

{chr(10).join(tables)}
"""
    path = folder / "dondoc.toml"
    path.write_text(text, encoding="utf-8")
    return path


def leaks(text: str) -> list[str]:
    """The names of the secrets found in `text`, and "bot token URL" for a Bot API path with a token."""
    lowered = text.lower()  # a provider may change the case of a text it echoes
    found = [name for name, value in SECRETS.items() if value.lower() in lowered]
    return found + (["bot token URL"] if "bot987654321:" in lowered else [])


def files_leaking(folder: Path) -> dict[str, list[str]]:
    """Every file under `folder` (logs, outputs, the database) that holds a secret, but the token store."""
    found: dict[str, list[str]] = {}
    for path in folder.rglob("*"):
        if path.is_file() and path.name != TOKEN_FILE:
            hits = leaks(path.read_bytes().decode("utf-8", errors="replace"))
            if hits:
                found[str(path.relative_to(folder))] = hits
    return found


def outbox_errors(database: Path) -> dict[str, str]:
    """channel -> last_error of the operator's outbox rows that have one (none while migrating)."""
    try:
        with sqlite3.connect(database, timeout=30) as db:
            rows = db.execute(ERRORS_QUERY).fetchall()
    except sqlite3.OperationalError:  # no table yet, or the service holds a write lock
        return {}
    return {channel: error for channel, error in rows}


def stop(process: subprocess.Popen[str]) -> str:
    """SIGTERM a started dondoc, wait for it, and return its log."""
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=120)
    return Path(process.log_path).read_text(encoding="utf-8")  # type: ignore[attr-defined]


@pytest.mark.parametrize("verbosity", [[], ["-vv"]], ids=["default", "vv"])
def test_bot_poll_never_prints_the_token(tmp_path: Path, bot_api: FakeApi, verbosity: list[str]) -> None:
    """`dondoc bot poll` (the reported probe: httpx logs every request URL, token included)."""
    config = write_secret_config(tmp_path, bot_api.base_url)
    process = start_dondoc(config, *verbosity, "bot", "poll", env=dondoc_env(**SECRETS))
    wait_until(lambda: sum(r.path.endswith("/getUpdates") for r in bot_api.requests) >= 2, process,
               "two getUpdates calls")
    log = stop(process)
    assert "/bot***/getUpdates" in log  # httpx logs the URLs...
    assert leaks(log) == []  # ...with the token masked
    assert files_leaking(tmp_path) == {}


@pytest.mark.parametrize(("verbosity", "log_format"), [([], []), (["-vv"], []), (["-vv"], ["--log-json"])],
                         ids=["default", "vv", "vv-json"])
def test_run_with_failing_channels_and_source_leaks_nothing(
    tmp_path: Path, bot_api: FakeApi, verbosity: list[str], log_format: list[str]
) -> None:
    """`dondoc run` with polling, a crawl worker on a closed port, and an operator alert that fails on
    Telegram (whose error echoes the token), Zalo and SMTP: logs, outbox rows, status and database clean."""
    config = write_secret_config(tmp_path, bot_api.base_url)
    database = tmp_path / "dondoc.sqlite3"
    process = start_dondoc(config, *verbosity, "run", *log_format, env=dondoc_env(**SECRETS))
    wait_until(lambda: database.exists() and {"telegram", "zalo", "email"} <= outbox_errors(database).keys(),
               process, "a delivery error on every channel", limit_s=400)
    log = stop(process)
    assert process.returncode == 0, log[-3000:]
    errors = outbox_errors(database)
    assert "bot***" in errors["telegram"] and leaks(" ".join(errors.values())) == []
    assert "getUpdates" in log and "khong-toi" in log
    assert leaks(log) == []
    status = run_dondoc(config, *verbosity, "status", env=dondoc_env(**SECRETS), timeout=120)
    assert status.returncode == 0, status.stderr
    assert "Lỗi" in status.stdout or "lỗi" in status.stdout
    assert leaks(status.stdout + status.stderr) == []
    assert files_leaking(tmp_path) == {}


@pytest.mark.parametrize("verbosity", [[], ["-vv"]], ids=["default", "vv"])
def test_one_shot_commands_leak_nothing(tmp_path: Path, bot_api: FakeApi, verbosity: list[str]) -> None:
    """`dondoc db upgrade`, `crawl` (its worker logs at INFO), `digest`, `status` and `invite`: no
    secret in their output or files."""
    config = write_secret_config(tmp_path, bot_api.base_url)
    env = dondoc_env(**SECRETS)
    outputs = []
    for command in (["db", "upgrade"], ["crawl"], ["digest"], ["status"], ["invite", "--unit", "Bộ Nội vụ"]):
        result = run_dondoc(config, *verbosity, *command, env=env, timeout=300)
        outputs.append(result.stdout + result.stderr)
    assert "khong-toi" in outputs[1]
    assert leaks("\n".join(outputs)) == []
    assert files_leaking(tmp_path) == {}
