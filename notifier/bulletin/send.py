"""Mail an edited bulletin to the mailing list through the email channel, once per address and content.

The bulletin is rendered as the HTML of `render.py` plus a plain-text version of the same view, and
each address gets one outbox row whose idempotency key hashes (address, issue, period, content): a
rerun with the same draft adds nothing, so nothing is sent twice. The content hash covers what
readers see (the included items as printed), so a draft corrected after sending is a new message and
goes out once more, which the log says. Delivery is the outbox's (retries, operator alerts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from crawler.config import Config
from crawler.errors import BulletinInputError, PermanentDeliveryError
from crawler.storage.outbox import PlannedMessage, queued_keys, write_planned
from notifier.bulletin.draft import check_draft_ids
from notifier.bulletin.draftfile import load_draft
from notifier.bulletin.model import Draft
from notifier.bulletin.render import (
    CONTENTS_TITLE,
    ORIGINAL_LABEL,
    BulletinView,
    bulletin_view,
    render_bulletin_html,
)
from notifier.channels.base import Channel
from notifier.channels.email import checked_address
from notifier.outbox import DeliveryReport, deliver_pending, message_key

logger = logging.getLogger(__name__)

CHANNEL = "email"
PERIOD_KIND = "bulletin"


@dataclass(frozen=True)
class BulletinMail:
    """The bulletin as one email: subject, plain text, HTML, and the hash of what it says."""

    subject: str
    text: str
    html: str
    content_hash: str


@dataclass(frozen=True)
class BulletinSendReport:
    """What sending did: the list's size, rows newly queued, and the outbox delivery run."""

    addresses: int
    queued: int
    delivery: DeliveryReport


def bulletin_subject(prefix: str, issue: str) -> str:
    """The email subject, prefix then issue in running text: "Bản tin CCHC số 14/2025"."""
    return f"{prefix} {issue[:1].lower()}{issue[1:]}".strip()


def render_bulletin_text(view: BulletinView) -> str:
    """The plain-text part: masthead, contents, then each item with its credit and original link."""
    lines = [
        view.title.upper(),
        *([view.publisher] if view.publisher else []),
        f"{view.issue} – {view.period}",
    ]
    lines += ["", CONTENTS_TITLE.upper()]
    for section in view.sections:
        lines.append(section.title)
        lines += [f"  {item.number}. {item.title}" for item in section.items]
    for section in view.sections:
        lines += ["", "", section.title]
        for item in section.items:
            lines += ["", f"{item.number}. {item.title}", *item.paragraphs]
            lines += [text for text in (item.attribution, item.url and ORIGINAL_LABEL + item.url) if text]
    return "\n".join(lines) + "\n"


def bulletin_mail(draft: Draft, subject_prefix: str) -> BulletinMail:
    """Render a draft for email; refuses a draft with no included item (an empty bulletin)."""
    view = bulletin_view(draft)
    if not view.sections:
        raise BulletinInputError(
            f"Bản tin {draft.issue} không còn tin nào được chọn (include = true); không gửi."
        )
    return BulletinMail(
        subject=bulletin_subject(subject_prefix, draft.issue),
        text=render_bulletin_text(view),
        html=render_bulletin_html(draft),
        content_hash=hashlib.sha256(repr(view).encode("utf-8")).hexdigest(),
    )


def mailing_addresses(addresses: Sequence[str]) -> list[str]:
    """The list's addresses, checked, each once (case-insensitively); an empty or bad list is an error."""
    unique: dict[str, str] = {}
    for address in addresses:
        try:
            checked = checked_address(address)
        except PermanentDeliveryError:
            raise BulletinInputError(f"Địa chỉ nhận bản tin không hợp lệ: {address!r}.") from None
        unique.setdefault(checked.casefold(), checked)
    if not unique:
        raise BulletinInputError(
            "Chưa có ai nhận bản tin: thêm địa chỉ vào bulletin.mailing_list trong tệp cấu hình."
        )
    return list(unique.values())


def _chosen(config: Config, recipients: Sequence[str] | None) -> Sequence[str]:
    """The addresses asked for, else the configured mailing list."""
    return config.bulletin.mailing_list if recipients is None else recipients


def plan_bulletin(draft: Draft, mail: BulletinMail, addresses: Sequence[str]) -> list[PlannedMessage]:
    """One email outbox message per address, keyed by address, issue, period and content."""
    period = f"{PERIOD_KIND}:{draft.period_start.isoformat()}"
    return [
        PlannedMessage(
            key=message_key(PERIOD_KIND, CHANNEL, address.casefold(), draft.issue, period, mail.content_hash),
            channel=CHANNEL,
            address=address,
            subject=mail.subject,
            body=mail.text,
            html=mail.html,
            period=period,
        )
        for address in addresses
    ]


def enqueue_bulletin(
    session: Session,
    config: Config,
    draft_path: Path,
    now: dt.datetime,
    *,
    recipients: Sequence[str] | None = None,
) -> int:
    """Queue an edited draft for every address of `recipients` (default: bulletin.mailing_list) not
    sent this content yet; return how many messages were added (0 on a rerun)."""
    draft = load_draft(draft_path)
    check_draft_ids(session, draft, draft_path)
    mail = bulletin_mail(draft, config.bulletin.subject)
    addresses = mailing_addresses(_chosen(config, recipients))
    planned = plan_bulletin(draft, mail, addresses)
    earlier = _earlier_versions(session, planned)
    added = write_planned(session, None, planned, now)
    session.commit()
    if earlier:
        logger.warning(
            "bulletin %s changed since it was sent: %d addresses get the new version", draft.issue, earlier
        )
    logger.info("bulletin %s: %d of %d addresses queued", draft.issue, added, len(addresses))
    return added


def _earlier_versions(session: Session, planned: Sequence[PlannedMessage]) -> int:
    """How many planned addresses not queued this content yet already got this period's bulletin."""
    if not planned:
        return 0
    keys = {message.key for message in planned}
    rows = queued_keys(session, CHANNEL, planned[0].period, [message.address for message in planned])
    current = {address for address, key in rows if key in keys}
    return len({address for address, key in rows if key not in keys} - current)


def send_bulletin(
    session: Session,
    config: Config,
    draft_path: Path,
    channels: Mapping[str, Channel],
    now: dt.datetime,
    *,
    recipients: Sequence[str] | None = None,
) -> BulletinSendReport:
    """Queue the bulletin (see `enqueue_bulletin`) and run the outbox delivery now (the CLI's entry);
    refuses before queueing anything when the email channel is not configured."""
    if CHANNEL not in channels:
        raise BulletinInputError(
            "Kênh email chưa sẵn sàng: kiểm tra bảng [channels.email] và biến môi trường mật khẩu SMTP."
        )
    queued = enqueue_bulletin(session, config, draft_path, now, recipients=recipients)
    delivery = deliver_pending(session, channels, now, config=config)
    count = len(mailing_addresses(_chosen(config, recipients)))
    return BulletinSendReport(addresses=count, queued=queued, delivery=delivery)
