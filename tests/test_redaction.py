"""Secret masking in-process: every logger, exception texts, JSON logs, database passwords, and the
text a channel's error leaves in the outbox."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from crawler.config import Config, config_from_dict, secret
from crawler.errors import RetryLaterError
from crawler.redaction import protect_config, redact, redacted_errors, register_database_url
from service.context import short_error
from service.logs import JsonFormatter, KeyValueFormatter

TOKEN = "555000111:UnitTestTokenQwertyAsdf_zx-cv"
PASSWORD = "UnitSmtpPassw0rd-x9"


@pytest.fixture
def stream(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """A root handler writing key=value lines into a string, with the test's secrets registered."""
    monkeypatch.setenv("DONDOC_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("MY_SMTP_PASSWORD", PASSWORD)
    protect_config(config_from_dict({"channels": {"email": {"password_env": "MY_SMTP_PASSWORD"}}}, "t"))
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(KeyValueFormatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


LOGGERS = ["httpx", "httpcore.http11", "telegram.ext.Updater", "apscheduler.scheduler", "scrapy.core.engine",
           "dondoc"]


@pytest.mark.parametrize("logger", LOGGERS)
def test_every_logger_masks_configured_secrets(stream: io.StringIO, logger: str) -> None:
    """A secret in a message or its arguments, from any logger (children included), is masked."""
    logging.getLogger(logger).warning("POST https://api.telegram.org/bot%s/getUpdates pw=%s", TOKEN, PASSWORD)
    line = stream.getvalue()
    assert "/bot***/getUpdates" in line and "pw=***" in line
    assert TOKEN not in line and PASSWORD not in line


def test_exception_text_is_masked(stream: io.StringIO) -> None:
    """The traceback logging prints (a chained one too) carries no secret."""
    try:
        try:
            raise ConnectionError(f"login failed with {PASSWORD}")
        except ConnectionError as inner:
            raise RuntimeError(f"url /bot{TOKEN}/sendMessage") from inner
    except RuntimeError:
        logging.getLogger("telegram").exception("send failed")
    text = stream.getvalue()
    assert "Traceback" in text and "RuntimeError" in text
    assert TOKEN not in text and PASSWORD not in text and "555000111:" not in text


def test_json_log_masks_message_and_error(stream: io.StringIO) -> None:
    """--log-json lines: the message and the error field are masked too."""
    try:
        raise ValueError(PASSWORD)
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "pw %s", (PASSWORD,),
                                                   sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "pw ***" and PASSWORD not in entry["error"]


def test_unconfigured_bot_token_url_and_changed_case_are_masked() -> None:
    """Any bot<digits>:<token> is masked, and a configured secret in another letter case."""
    protect_config(Config())
    assert redact("GET /bot123:AAbbCC_dd-ee/getMe") == "GET /bot***/getMe"
    register_database_url("postgresql://dondoc:Db%40Secret-42@db.example/dondoc")
    assert redact("password Db@Secret-42, quoted Db%40Secret-42, lower db@secret-42") == (
        "password ***, quoted ***, lower ***")


def test_channel_errors_carry_no_secret(stream: io.StringIO) -> None:
    """What a channel raises (and the outbox stores as last_error) is masked in place."""

    @redacted_errors
    def send() -> None:
        raise RetryLaterError(f"proxy said: /bot{TOKEN.lower()}/sendMessage {PASSWORD}")

    with pytest.raises(RetryLaterError) as raised:
        send()
    assert str(raised.value) == "proxy said: /bot***/sendMessage ***"


def test_one_line_errors_are_masked(stream: io.StringIO) -> None:
    """The one-line error a crashed job stores (service_jobs, `dondoc status`) is masked too."""
    crash = RuntimeError(f"GET /bot{TOKEN}/x with {PASSWORD}\nmore")
    assert short_error(crash) == "RuntimeError: GET /bot***/x with ***"


def test_any_secret_read_through_the_config_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A secret read with crawler.config.secret, whatever its variable, is masked from then on."""
    monkeypatch.setenv("SOME_OTHER_SECRET_ENV", "OtherSecret-31415")
    assert secret("SOME_OTHER_SECRET_ENV") == "OtherSecret-31415"
    assert redact("value=OtherSecret-31415") == "value=***"
