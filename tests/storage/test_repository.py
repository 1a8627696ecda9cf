"""Storage: config sync (idempotent, runtime addresses kept), aliases, collectives, invites, queries."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.config import ChannelConfig, RecipientConfig, UnitConfig
from crawler.errors import DondocError
from crawler.models import Deadline, ExtractedTask, Precision
from crawler.storage.differ import apply_document_tasks
from crawler.storage.invites import create_invite, redeem_invite
from crawler.storage.recipients import (
    UNLEARNED,
    due_soon_offsets,
    move_address,
    set_address_active,
    sync_config,
)
from crawler.storage.schema import ChannelAddress, Document, Recipient, Subscription, Unit, UnitAlias
from crawler.storage.tasks import (
    EventKind,
    index_by_unit,
    load_events,
    load_tasks,
    tasks_for_units,
)
from crawler.storage.units import UnitResolver, load_resolver

MINISTRIES = "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"
PROVINCES = "Các tỉnh, thành phố trực thuộc Trung ương"
BKHCN = "Bộ Khoa học và Công nghệ"
BTC = "Bộ Tài chính"
UBND_NA = "Ủy ban nhân dân tỉnh Nghệ An"
SKHCN_NA = "Sở Khoa học và Công nghệ tỉnh Nghệ An"
NOW = dt.datetime(2025, 10, 1, 8, 0, tzinfo=dt.UTC)


class FakeGazetteer:
    """A tiny stand-in for crawler.extract.units.Gazetteer with two collectives."""

    _aliases: ClassVar[dict[str, str]] = {"bộ kh&cn": BKHCN, "btc": BTC, "ubnd tỉnh nghệ an": UBND_NA}
    _members: ClassVar[dict[str, tuple[str, ...]]] = {
        MINISTRIES: (BKHCN, BTC), PROVINCES: ("Tỉnh Nghệ An", "Thành phố Hà Nội")}

    def canonical(self, name: str, province: str | None = None) -> str | None:
        """Canonical name through the fake alias table."""
        return self._aliases.get(" ".join(name.lower().split()))

    def members_of(self, collective: str) -> tuple[str, ...]:
        """Members of the two fake collectives."""
        return self._members.get(collective, ())

    def all_units(self) -> tuple[str, ...]:
        """Every fake unit, collectives included."""
        return (BKHCN, BTC, UBND_NA, "Tỉnh Nghệ An", "Thành phố Hà Nội", MINISTRIES, PROVINCES)


UNITS = (UnitConfig(name=SKHCN_NA, aliases=("Sở KH&CN Nghệ An", "SKHCN")),)


def _recipients(email: str = "vp@skhcn.gov.vn", units: tuple[str, ...] = (SKHCN_NA, "Bộ KH&CN")
                ) -> tuple[RecipientConfig, ...]:
    """A config's recipients: one with email + to-be-learned Telegram, one console-only operator."""
    return (
        RecipientConfig(name="Văn phòng Sở KHCN", units=units, due_soon_days=(5, 1),
                        channels=(ChannelConfig("email", email), ChannelConfig("telegram"))),
        RecipientConfig(name="Tổ vận hành", units=(), channels=(ChannelConfig("console"),)),
    )


def _sync(session: Session, email: str = "vp@skhcn.gov.vn",
          units: tuple[str, ...] = (SKHCN_NA, "Bộ KH&CN")) -> UnitResolver:
    """Run a config sync and commit."""
    resolver = sync_config(session, UNITS, _recipients(email, units), FakeGazetteer())
    session.commit()
    return resolver


def _snapshot(session: Session) -> tuple[int, ...]:
    """Row counts of the synced tables."""
    return tuple(session.scalar(select(func.count()).select_from(t)) or 0
                 for t in (Unit, UnitAlias, Recipient, ChannelAddress, Subscription))


def _addresses(session: Session, recipient: str) -> set[tuple[str, str, str]]:
    """(channel, address, origin) of a recipient's addresses."""
    rows = session.scalars(select(ChannelAddress).join(Recipient).where(Recipient.name == recipient))
    return {(r.channel, r.address, r.origin) for r in rows}


def _subscribed(session: Session, recipient: str) -> set[str]:
    """Names of the units a recipient follows."""
    rows = session.scalars(select(Unit.name).join(Subscription, Subscription.unit_id == Unit.id)
                           .join(Recipient, Recipient.id == Subscription.recipient_id)
                           .where(Recipient.name == recipient))
    return set(rows)


def test_config_sync_is_idempotent(db_session: Session) -> None:
    """Syncing the same config twice leaves the same rows; units resolve through aliases."""
    _sync(db_session)
    first = _snapshot(db_session)
    _sync(db_session)
    assert _snapshot(db_session) == first
    assert _subscribed(db_session, "Văn phòng Sở KHCN") == {SKHCN_NA, BKHCN}
    assert _addresses(db_session, "Văn phòng Sở KHCN") == {  # a telegram chat to learn: the placeholder
        ("email", "vp@skhcn.gov.vn", "config"), ("telegram", UNLEARNED, "config")}
    assert _addresses(db_session, "Tổ vận hành") == {("console", "", "config")}
    assert due_soon_offsets(db_session) == (7, 5, 3, 1)


def test_aliases_resolve_in_database_and_gazetteer(db_session: Session) -> None:
    """Config aliases, old tone marks and gazetteer abbreviations all reach the canonical name."""
    resolver = _sync(db_session)
    assert resolver.canonical("sở kh&cn  nghệ an") == SKHCN_NA
    assert resolver.canonical("SKHCN") == SKHCN_NA
    assert resolver.canonical("Uỷ ban nhân dân tỉnh Nghệ An") == UBND_NA
    assert resolver.canonical("BTC") == BTC
    assert resolver.canonical("Ban Quản lý dự án") == "Ban Quản lý dự án"


def test_sync_keeps_runtime_addresses_and_invites_but_follows_config(db_session: Session) -> None:
    """A chat id learned by onboarding survives syncs; addresses and units removed from config go."""
    resolver = _sync(db_session)
    code = create_invite(db_session, UBND_NA, resolver, NOW, recipient="Văn phòng Sở KHCN")
    assert redeem_invite(db_session, code, "telegram", "-100123", NOW) is not None
    db_session.commit()
    _sync(db_session, email="moi@skhcn.gov.vn", units=(SKHCN_NA,))
    assert _addresses(db_session, "Văn phòng Sở KHCN") == {
        ("email", "moi@skhcn.gov.vn", "config"), ("telegram", UNLEARNED, "config"),
        ("telegram", "-100123", "invite")}
    assert _subscribed(db_session, "Văn phòng Sở KHCN") == {SKHCN_NA, UBND_NA}


def test_invite_codes_are_single_use_and_expire(db_session: Session) -> None:
    """A code works once, not after it expires, and only for a known unit."""
    resolver = _sync(db_session)
    code = create_invite(db_session, "Bộ KH&CN", resolver, NOW)
    assert len(code) == 8
    onboarded = redeem_invite(db_session, code.lower(), "zalo", "u42", NOW + dt.timedelta(hours=1))
    assert onboarded is not None
    assert (onboarded.recipient, onboarded.unit, onboarded.address) == (BKHCN, BKHCN, "u42")
    assert _subscribed(db_session, BKHCN) == {BKHCN}
    assert redeem_invite(db_session, code, "zalo", "u43", NOW) is None
    late = create_invite(db_session, BTC, resolver, NOW, valid_for=dt.timedelta(days=1))
    assert redeem_invite(db_session, late, "telegram", "7", NOW + dt.timedelta(days=2)) is None
    assert redeem_invite(db_session, "KHONGCO1", "telegram", "7", NOW) is None
    with pytest.raises(DondocError):
        create_invite(db_session, "Đơn vị không có", resolver, NOW)


def test_address_deactivation_and_migration(db_session: Session) -> None:
    """A blocked chat is deactivated and a migrated chat id followed."""
    resolver = _sync(db_session)
    redeem_invite(db_session, create_invite(db_session, BTC, resolver, NOW), "telegram", "-1", NOW)
    assert set_address_active(db_session, "telegram", "-1", False) == 1
    move_address(db_session, "telegram", "-1", "-1009")
    db_session.expire_all()
    row = db_session.scalars(select(ChannelAddress).where(ChannelAddress.channel == "telegram",
                                                          ChannelAddress.address != UNLEARNED)).one()
    assert (row.address, row.active) == ("-1009", False)


def _task(action: str, lead: tuple[str, ...], support: tuple[str, ...] = ()) -> ExtractedTask:
    """An extracted task of directive 60/CĐ-TTg due 15/10/2025."""
    return ExtractedTask(action=action, lead=lead, support=support,
                         deadline=Deadline("15/10/2025", dt.date(2025, 10, 15), Precision.DAY),
                         status=None, source_refs=("60/CĐ-TTg",), line=1, anchor=action[:25])


def _store_tasks(session: Session) -> None:
    """Store four tasks: one per ministry collective, province collective, BTC alone, SKHCN as support."""
    doc = Document(url="http://127.0.0.1/vb/60", kind="directive", number="60/CĐ-TTg", text="…",
                   text_hash="h", created_at=NOW)
    session.add(doc)
    session.flush()
    tasks = [
        _task("Rà soát, cắt giảm thủ tục hành chính nội bộ", (MINISTRIES,)),
        _task("Tổ chức chính quyền địa phương hai cấp vận hành thông suốt", (PROVINCES,)),
        _task("Bố trí kinh phí cho chuyển đổi số", (BTC,)),
        _task("Xây dựng cơ sở dữ liệu khoa học", ("Bộ KH&CN",), support=("Sở KH&CN Nghệ An",)),
    ]
    apply_document_tasks(session, doc.id, tasks, dt.date(2025, 10, 1))
    session.commit()


def test_collective_addressees_reach_every_unit_they_cover(db_session: Session) -> None:
    """A unit's tasks: its own name or alias as lead or support, and collectives covering it."""
    resolver = _sync(db_session)
    _store_tasks(db_session)
    index = index_by_unit(load_tasks(db_session), resolver)
    units = (BKHCN, BTC, UBND_NA, SKHCN_NA, "Bộ Y tế")
    found = {unit: tasks_for_units(index, [unit], resolver) for unit in units}
    actions = {unit: [t.action.split()[0] for t in tasks] for unit, tasks in found.items()}
    assert actions == {
        BKHCN: ["Rà", "Xây"],
        BTC: ["Rà", "Bố"],
        UBND_NA: ["Tổ"],
        SKHCN_NA: ["Xây"],
        "Bộ Y tế": [],
    }
    task = tasks_for_units(index, ["Bộ KH&CN"], load_resolver(db_session, FakeGazetteer()))[1]
    assert (task.document_number, task.document_url) == ("60/CĐ-TTg", "http://127.0.0.1/vb/60")
    assert task.deadline.due == dt.date(2025, 10, 15)


def test_load_events_is_a_half_open_window(db_session: Session) -> None:
    """load_events returns events in (since, until], filtered by kind when asked."""
    _sync(db_session)
    _store_tasks(db_session)
    assert len(load_events(db_session, None, dt.date(2025, 10, 1), kinds=None)) == 4
    assert load_events(db_session, dt.date(2025, 10, 1), dt.date(2025, 10, 9)) == []
    news = load_events(db_session, dt.date(2025, 9, 30), dt.date(2025, 10, 1), kinds=[EventKind.NEW])
    assert {e.kind for e in news} == {EventKind.NEW} and len(news) == 4
    assert load_events(db_session, None, dt.date(2025, 10, 1), kinds=[EventKind.OVERDUE]) == []
