"""Mailing the bulletin to the list through the email channel and a real aiosmtpd server: multipart
HTML with its links and a UTF-8 subject, exactly once per address (a rerun sends nothing, a corrected
draft goes out once more), and clear refusals before anything is queued."""

from __future__ import annotations

import datetime as dt
import email
import logging
from email.message import Message
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.config import BulletinConfig, ChannelsConfig, Config, EmailConfig
from crawler.errors import BulletinInputError
from crawler.storage.schema import OutboxMessage
from notifier.bulletin.draft import draft_bulletin, week_period
from notifier.bulletin.draftfile import load_draft
from notifier.bulletin.render import bulletin_view
from notifier.bulletin.send import render_bulletin_text, send_bulletin
from notifier.channels.base import Channel
from notifier.channels.email import EmailChannel
from tests.notify.test_notify_email import Inbox, run_server

from .rows import ARTICLES

NOW = dt.datetime(2025, 4, 7, 9, 0, tzinfo=dt.UTC)
LIST = ("lanhdao.snv@nghean.gov.vn", "cchc.snv@nghean.gov.vn", "LanhDao.SNV@nghean.gov.vn")


def make_draft(session: Session, tmp_path: Path) -> Path:
    """Draft week 2025-W14 into a file and return its path."""
    path = tmp_path / "ban-tin-2025-W14.toml"
    draft_bulletin(session, week_period("2025-W14"), path)
    return path


def config_for(port: int, mailing_list: tuple[str, ...] = LIST) -> Config:
    """A config mailing through the local server to `mailing_list`."""
    smtp = EmailConfig(host="127.0.0.1", port=port, security="none", sender="dondoc@snv.nghean.gov.vn")
    return Config(channels=ChannelsConfig(email=smtp), bulletin=BulletinConfig(mailing_list=mailing_list))


def email_channels(config: Config) -> dict[str, Channel]:
    """Only the email channel, on the test clock."""
    return {"email": EmailChannel(config.channels.email, clock=lambda: NOW)}


def parsed(inbox: Inbox) -> list[Message]:
    """Every message the server received, parsed."""
    contents = [envelope.original_content for envelope in inbox.messages]
    return [email.message_from_bytes(c, policy=default) for c in contents if isinstance(c, bytes)]


def parts(mail: Message) -> dict[str, str]:
    """The text parts of a multipart mail by content type."""
    return {part.get_content_type(): part.get_content() for part in mail.iter_parts()}  # type: ignore[attr-defined]


def outbox_rows(session: Session) -> int:
    """How many messages the outbox holds."""
    return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_bulletin_reaches_the_list_once_as_multipart_html(
    session: Session, article_ids: list[int], tmp_path: Path
) -> None:
    draft_path = make_draft(session, tmp_path)
    inbox = Inbox()
    for port in run_server(inbox):
        config = config_for(port)
        first = send_bulletin(session, config, draft_path, email_channels(config), NOW)
        again = send_bulletin(
            session, config, draft_path, email_channels(config), NOW + dt.timedelta(hours=1)
        )
    assert (first.addresses, first.queued, first.delivery.sent) == (2, 2, 2)
    assert (again.queued, again.delivery.sent) == (0, 0)
    assert sorted(envelope.rcpt_tos[0] for envelope in inbox.messages) == sorted(LIST[:2])
    for mail in parsed(inbox):
        assert mail.get_content_type() == "multipart/alternative"
        assert str(mail["Subject"]) == "Bản tin CCHC số 14/2025"
        text, html = parts(mail)["text/plain"], parts(mail)["text/html"]
        assert html.count("Về đầu trang") == 7 and 'href="#muc_luc"' in html
        assert f'<a href="{ARTICLES[1].url}"' in html and 'href="#tin_' in html
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert "Số 14/2025 – Từ ngày 31/03/2025 đến ngày 06/04/2025" in text
        assert "(Nhandan.vn 01/4, Diệu Thương)" in text and f"Xem bài gốc: {ARTICLES[1].url}" in text
        assert ARTICLES[7].title in text


def test_corrected_draft_is_sent_once_more(
    session: Session, article_ids: list[int], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    draft_path = make_draft(session, tmp_path)
    inbox = Inbox()
    for port in run_server(inbox):
        config = config_for(port, LIST[:1])
        send_bulletin(session, config, draft_path, email_channels(config), NOW)
        text = draft_path.read_text(encoding="utf-8")
        draft_path.write_text(text.replace("Công điện số 60/CĐ-TTg", "Công điện số 60/CĐ-TTg ngày 31/3"))
        with caplog.at_level(logging.WARNING, logger="notifier.bulletin.send"):
            corrected = send_bulletin(session, config, draft_path, email_channels(config), NOW)
        rerun = send_bulletin(session, config, draft_path, email_channels(config), NOW)
    assert (corrected.queued, corrected.delivery.sent, rerun.queued) == (1, 1, 0)
    assert "changed since it was sent: 1 addresses" in caplog.text
    first, second = parsed(inbox)
    assert "ngày 31/3" not in parts(first)["text/html"] and "ngày 31/3" in parts(second)["text/html"]
    assert first["Message-ID"] != second["Message-ID"]


def test_explicit_recipients_replace_the_list(
    session: Session, article_ids: list[int], tmp_path: Path
) -> None:
    draft_path = make_draft(session, tmp_path)
    inbox = Inbox()
    for port in run_server(inbox):
        config = config_for(port)
        report = send_bulletin(
            session, config, draft_path, email_channels(config), NOW, recipients=["bientap@nghean.gov.vn"]
        )
    assert (report.addresses, report.delivery.sent) == (1, 1)
    assert [envelope.rcpt_tos for envelope in inbox.messages] == [["bientap@nghean.gov.vn"]]


@pytest.mark.parametrize(
    ("mailing_list", "with_email", "problem"),
    [
        ((), True, "bulletin.mailing_list"),
        (("cchc@nghean.gov.vn\r\nBcc: x@example.com",), True, "không hợp lệ"),
        (LIST, False, r"\[channels.email\]"),
    ],
)
def test_bad_list_or_missing_channel_queue_nothing(
    session: Session,
    article_ids: list[int],
    tmp_path: Path,
    mailing_list: tuple[str, ...],
    with_email: bool,
    problem: str,
) -> None:
    draft_path = make_draft(session, tmp_path)
    config = config_for(1, mailing_list)
    channels = email_channels(config) if with_email else {}
    with pytest.raises(BulletinInputError, match=problem):
        send_bulletin(session, config, draft_path, channels, NOW)
    assert outbox_rows(session) == 0


def test_empty_bulletin_is_not_sent(session: Session, article_ids: list[int], tmp_path: Path) -> None:
    draft_path = make_draft(session, tmp_path)
    text = draft_path.read_text(encoding="utf-8")
    draft_path.write_text(text.replace("include = true", "include = false"), encoding="utf-8")
    config = config_for(1)
    with pytest.raises(BulletinInputError, match="không còn tin nào"):
        send_bulletin(session, config, draft_path, email_channels(config), NOW)
    assert outbox_rows(session) == 0


def test_plain_text_lists_contents_then_items(
    session: Session, article_ids: list[int], tmp_path: Path
) -> None:
    text = render_bulletin_text(bulletin_view(load_draft(make_draft(session, tmp_path))))
    head, _, body = text.partition("\n\n\n")
    assert head.splitlines()[:4] == [
        "BẢN TIN CẢI CÁCH HÀNH CHÍNH",
        "Số 14/2025 – Từ ngày 31/03/2025 đến ngày 06/04/2025",
        "",
        "MỤC LỤC",
    ]
    assert "TIN CẢI CÁCH HÀNH CHÍNH ĐỊA PHƯƠNG\n  1. Hà Nội yêu cầu" in head
    assert body.startswith("TIN CẢI CÁCH HÀNH CHÍNH TRUNG ƯƠNG\n\n1. Thủ tướng Chính phủ đôn đốc")
