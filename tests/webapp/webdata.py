"""A small database for the web tests: two units, their tasks, an editor, an operator, links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crawler.storage.schema import ChannelAddress, Recipient, Subscription, Unit
from crawler.storage.webaccess import CALENDAR_LINK, UNIT_LINK, add_user, issue_token
from tests.notify.notify_helpers import add_document, add_task
from web.auth import hash_password

AS_OF = dt.date(2025, 10, 1)
PASSWORD = "mat-khau-rat-dai-1"
HEALTH, FINANCE = "Bộ Y tế", "Bộ Tài chính"


@dataclass(frozen=True)
class Seeded:
    """The ids and secrets the tests use."""

    overdue: int
    soon: int
    finance: int
    health_link: str
    expired_link: str
    calendar: str


def seed(session: Session) -> Seeded:
    """Fill the database and return what the tests need."""
    health, finance = Unit(name=HEALTH), Unit(name=FINANCE)
    session.add_all([health, finance])
    session.flush()
    doc = add_document(session, "12/KH-UBND", "http://127.0.0.1/van-ban/12")
    overdue = add_task(session, "a", "Báo cáo kết quả chuyển đổi số ngành y tế", [HEALTH],
                       dt.date(2025, 9, 20), document=doc, new_on=dt.date(2025, 9, 1))
    soon = add_task(session, "b", "Rà soát thủ tục hành chính lĩnh vực khám bệnh", [HEALTH],
                    dt.date(2025, 10, 5), document=doc, new_on=dt.date(2025, 9, 28))
    fin = add_task(session, "c", "Công khai ngân sách quý III", [FINANCE], dt.date(2025, 9, 25), document=doc)
    recipient = Recipient(name="Văn phòng Bộ Y tế")
    session.add(recipient)
    session.flush()
    session.add(ChannelAddress(recipient_id=recipient.id, channel="email", address="gd@syt.example.vn"))
    session.add(Subscription(recipient_id=recipient.id, unit_id=health.id))
    now = dt.datetime.now(dt.UTC)
    add_user(session, "bientap", "editor", hash_password(PASSWORD), now)
    add_user(session, "vanhanh", "operator", hash_password(PASSWORD), now)
    link = issue_token(session, UNIT_LINK, now, unit_id=health.id, valid_days=30)
    expired = issue_token(session, UNIT_LINK, now - dt.timedelta(days=40), unit_id=health.id, valid_days=30)
    calendar = issue_token(session, CALENDAR_LINK, now, recipient_id=recipient.id)
    session.commit()
    return Seeded(overdue.id, soon.id, fin.id, link, expired, calendar)
