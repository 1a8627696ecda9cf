"""Repository functions over a Session: units and aliases, recipients from config, onboarding codes,
and the queries the notifier needs (tasks that concern a unit, events since a date).

Config sync is idempotent and only touches what the config owns (rows with origin "config"):
channel addresses and subscriptions learned at runtime (origin "invite", e.g. a Telegram chat id
recorded from `/start CODE`) survive every sync.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crawler.config import RecipientConfig, UnitConfig
from crawler.errors import DondocError
from crawler.extract.normalize import match_key
from crawler.models import Deadline, Precision, Status
from crawler.storage.schema import (
    ChannelAddress,
    Document,
    InviteCode,
    Recipient,
    Subscription,
    Task,
    TaskEvent,
    Unit,
    UnitAlias,
)

log = logging.getLogger(__name__)

CONFIG = "config"
INVITE = "invite"
LEARNED_CHANNELS = ("telegram", "zalo")  # addresses these channels learn at onboarding, never from config
DEFAULT_DUE_SOON_DAYS = (7, 3, 1)
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are read aloud and retyped
INVITE_LENGTH = 8

# --- text keys --------------------------------------------------------------------------------------

_EDGE_PUNCT = " \t\r\n.,;:-–—()[]\"'“”"


def name_key(name: str) -> str:
    """Matching key of a unit name: folded, without edge punctuation, so spellings of a name compare equal."""
    return match_key(name).strip(_EDGE_PUNCT)


# --- units ----------------------------------------------------------------------------------------


class UnitDirectory(Protocol):
    """What the storage layer uses of crawler.extract.units.Gazetteer."""

    def canonical(self, name: str, province: str | None = None) -> str | None:
        """The canonical name of a unit written any known way, or None."""

    def members_of(self, collective: str) -> tuple[str, ...]:
        """The concrete units a collective addressee covers."""

    def all_units(self) -> tuple[str, ...]:
        """Every canonical unit name."""


def default_directory() -> UnitDirectory | None:
    """The packaged gazetteer, or None when the extraction package cannot provide one."""
    try:
        from crawler.extract.units import load_gazetteer
    except ImportError:
        log.warning("gazetteer unavailable: units resolve through the database only")
        return None
    return load_gazetteer()


_PROVINCE_RE = re.compile(r"^(?:ủy ban nhân dân\s+)?((?:tỉnh|thành phố)\s+(?!ủy\b).+)$")


class UnitResolver:
    """Resolves unit names (aliases, abbreviations) to canonical names and collectives to their members."""

    def __init__(self, aliases: Mapping[str, str], directory: UnitDirectory | None) -> None:
        """Build from alias keys -> canonical names (from the database) and an optional gazetteer."""
        self._aliases = dict(aliases)
        self._directory = directory
        self._reach: dict[str, frozenset[str]] = {}  # by name as written: names repeat across tasks

    def canonical(self, name: str) -> str:
        """The canonical name of `name`: database aliases first, then the gazetteer, else the name itself."""
        known = self._aliases.get(name_key(name))
        if known:
            return known
        found = self._directory.canonical(name) if self._directory else None
        return found or " ".join(unicodedata.normalize("NFC", name).split())

    def reach(self, name: str) -> frozenset[str]:
        """Keys of every unit an addressee reaches: itself and, for a collective, each unit it covers."""
        reached = self._reach.get(name)
        if reached is None:
            canonical = self.canonical(name)
            members = self._directory.members_of(canonical) if self._directory else ()
            reached = frozenset(k for n in (canonical, *members) for k in _equivalent_keys(n))
            self._reach[name] = reached
        return reached

    def reached_by(self, names: Iterable[str]) -> frozenset[str]:
        """Keys of every unit that a lead/support list reaches."""
        return frozenset(k for name in names for k in self.reach(name))


def _equivalent_keys(name: str) -> tuple[str, ...]:
    """Keys under which a unit is addressed: a province and its People's Committee stand for each other."""
    key = name_key(name)
    province = _PROVINCE_RE.match(key)
    if not province:
        return (key,)
    return (province.group(1), f"ủy ban nhân dân {province.group(1)}")


def alias_map(session: Session) -> dict[str, str]:
    """Every stored alias key with the canonical name of its unit."""
    rows = session.execute(select(UnitAlias.alias, Unit.name).join(Unit, Unit.id == UnitAlias.unit_id))
    return {alias: name for alias, name in rows}


def _alias_owners(session: Session) -> dict[str, int]:
    """Every stored alias key with the id of the unit that owns it."""
    return {alias: unit_id for alias, unit_id in session.execute(select(UnitAlias.alias, UnitAlias.unit_id))}


def load_resolver(session: Session, directory: UnitDirectory | None = None) -> UnitResolver:
    """A resolver over the database's units and aliases, falling back on the gazetteer when given."""
    return UnitResolver(alias_map(session), directory)


def sync_units(session: Session, config_units: Sequence[UnitConfig], directory: UnitDirectory | None) -> int:
    """Make sure every gazetteer unit and config unit exists with its aliases; return how many were added."""
    names: dict[str, tuple[str, ...]] = {name: () for name in (directory.all_units() if directory else ())}
    for spec in config_units:
        names[spec.name] = (*names.get(spec.name, ()), *spec.aliases)
    existing = {u.name: u for u in session.scalars(select(Unit))}
    taken = _alias_owners(session)
    added = 0
    for name, aliases in names.items():
        unit = existing.get(name)
        if unit is None:
            unit = existing[name] = Unit(name=name)
            session.add(unit)
            session.flush()
            added += 1
        _add_aliases(session, unit, (name, *aliases), taken)
    session.flush()
    return added


def _add_aliases(session: Session, unit: Unit, aliases: Iterable[str], taken: dict[str, int]) -> None:
    """Record alias keys for a unit; a key another unit already owns stays with that unit (first wins)."""
    for alias in aliases:
        key = name_key(alias)
        owner = taken.get(key)
        if owner is None:
            session.add(UnitAlias(unit_id=unit.id, alias=key))
            taken[key] = unit.id
        elif owner != unit.id:
            log.warning("alias %r of %r already names another unit (id %s)", alias, unit.name, owner)


def ensure_unit(session: Session, name: str, resolver: UnitResolver) -> Unit:
    """The unit row for a name (through aliases), created under its canonical name when unknown."""
    canonical = resolver.canonical(name)
    unit = session.scalars(select(Unit).where(Unit.name == canonical)).one_or_none()
    if unit is None:
        log.info("unit %r is not in the gazetteer or config: adding it", canonical)
        unit = Unit(name=canonical)
        session.add(unit)
        session.flush()
        _add_aliases(session, unit, {canonical, name}, _alias_owners(session))
        session.flush()
    return unit


def find_unit(session: Session, name: str, resolver: UnitResolver) -> Unit | None:
    """The stored unit a name denotes (exact, alias or gazetteer spelling), or None."""
    return session.scalars(select(Unit).where(Unit.name == resolver.canonical(name))).one_or_none()


# --- recipients -------------------------------------------------------------------------------------


def sync_recipients(session: Session, recipients: Sequence[RecipientConfig], resolver: UnitResolver) -> None:
    """Bring recipients, their config addresses and subscriptions in line with the config, idempotently.

    Only rows with origin "config" are added or removed; runtime-learned addresses and invite
    subscriptions are left alone, also for recipients that the config no longer lists.
    """
    configured = {r.name for r in recipients}
    for spec in recipients:
        recipient = _upsert_recipient(session, spec)
        _sync_addresses(session, recipient, spec)
        _sync_subscriptions(session, recipient, spec, resolver)
    for gone in session.scalars(select(Recipient).where(Recipient.name.not_in(configured))):
        _drop_config_rows(session, gone.id)
    session.flush()


def recipient_names(session: Session) -> list[str]:
    """The names of every stored recipient (from the config or from invites), sorted."""
    return sorted(session.scalars(select(Recipient.name)))


def _upsert_recipient(session: Session, spec: RecipientConfig) -> Recipient:
    """Create or update the recipient row of one config entry."""
    recipient = session.scalars(select(Recipient).where(Recipient.name == spec.name)).one_or_none()
    if recipient is None:
        recipient = Recipient(name=spec.name)
        session.add(recipient)
    recipient.origin = CONFIG
    recipient.due_soon_days = list(spec.due_soon_days)
    recipient.digests = list(spec.digests)
    session.flush()
    return recipient


def _config_addresses(spec: RecipientConfig) -> set[tuple[str, str]]:
    """The (channel, address) pairs a config entry fixes; chat channels without an address learn it later."""
    return {(c.type, c.address) for c in spec.channels if c.address or c.type not in LEARNED_CHANNELS}


def _sync_addresses(session: Session, recipient: Recipient, spec: RecipientConfig) -> None:
    """Add the config's channel addresses and drop config addresses it no longer lists."""
    wanted = _config_addresses(spec)
    rows = session.scalars(select(ChannelAddress).where(ChannelAddress.recipient_id == recipient.id)).all()
    have = {(row.channel, row.address): row for row in rows}
    for channel, address in sorted(wanted - have.keys()):
        session.add(ChannelAddress(recipient_id=recipient.id, channel=channel, address=address,
                                   origin=CONFIG))
    for pair, row in have.items():
        if row.origin == CONFIG and pair not in wanted:
            session.delete(row)


def _sync_subscriptions(session: Session, recipient: Recipient, spec: RecipientConfig,
                        resolver: UnitResolver) -> None:
    """Subscribe the recipient to the config's units and drop config subscriptions it no longer lists."""
    wanted = {ensure_unit(session, name, resolver).id for name in spec.units}
    rows = session.scalars(select(Subscription).where(Subscription.recipient_id == recipient.id)).all()
    have = {row.unit_id: row for row in rows}
    for unit_id in sorted(wanted - have.keys()):
        session.add(Subscription(recipient_id=recipient.id, unit_id=unit_id, origin=CONFIG))
    for unit_id, row in have.items():
        if row.origin == CONFIG and unit_id not in wanted:
            session.delete(row)


def _drop_config_rows(session: Session, recipient_id: int) -> None:
    """Remove what the config gave a recipient it no longer lists, keeping runtime-learned rows."""
    session.execute(delete(ChannelAddress).where(ChannelAddress.recipient_id == recipient_id,
                                                 ChannelAddress.origin == CONFIG))
    session.execute(delete(Subscription).where(Subscription.recipient_id == recipient_id,
                                               Subscription.origin == CONFIG))


def sync_config(session: Session, units: Sequence[UnitConfig], recipients: Sequence[RecipientConfig],
                directory: UnitDirectory | None) -> UnitResolver:
    """Sync units then recipients from the config; return the resolver for later lookups."""
    sync_units(session, units, directory)
    resolver = load_resolver(session, directory)
    sync_recipients(session, recipients, resolver)
    return resolver


def _addresses(session: Session, channel: str, address: str) -> Sequence[ChannelAddress]:
    """The stored rows of one address on one channel (any recipient)."""
    return session.scalars(select(ChannelAddress).where(ChannelAddress.channel == channel,
                                                        ChannelAddress.address == address)).all()


def set_address_active(session: Session, channel: str, address: str, active: bool) -> int:
    """(De)activate an address on a channel (e.g. the bot was blocked there); return how many rows changed."""
    rows = _addresses(session, channel, address)
    for row in rows:
        row.active = active
    return len(rows)


def replace_address(session: Session, channel: str, old: str, new: str) -> int:
    """Follow an address change on a channel (Telegram chat migrated to a supergroup); return the count."""
    rows = _addresses(session, channel, old)
    for row in rows:
        row.address = new
    return len(rows)


def due_soon_offsets(session: Session) -> tuple[int, ...]:
    """Every due-soon offset some recipient wants, largest first (default 7, 3, 1)."""
    offsets = {int(d) for days in session.scalars(select(Recipient.due_soon_days)) for d in days}
    return tuple(sorted(offsets or DEFAULT_DUE_SOON_DAYS, reverse=True))


# --- onboarding -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Onboarding:
    """The outcome of a redeemed invite: who now receives which unit's digests, where."""

    recipient: str
    unit: str
    channel: str
    address: str


def create_invite(session: Session, unit_name: str, resolver: UnitResolver, now: dt.datetime, *,
                  recipient: str | None = None, valid_for: dt.timedelta = dt.timedelta(days=7)) -> str:
    """Store and return a one-time code that subscribes whoever sends it to the bot to a unit."""
    unit = find_unit(session, unit_name, resolver)
    if unit is None:
        raise DondocError(f"Không tìm thấy đơn vị '{unit_name}' trong danh mục đơn vị")
    code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    created = now.astimezone(dt.UTC)  # SQLite keeps wall time only: store UTC so expiry compares right
    session.add(InviteCode(code=code, unit_id=unit.id, recipient_name=recipient, created_at=created,
                           expires_at=created + valid_for))
    session.flush()
    return code


def redeem_invite(session: Session, code: str, channel: str, address: str,
                  now: dt.datetime) -> Onboarding | None:
    """Use a code once: record the sender's address and subscribe them; None if unknown, used or expired."""
    invite = session.scalars(select(InviteCode).where(InviteCode.code == code.strip().upper())).one_or_none()
    if invite is None or invite.used_at is not None or _aware(invite.expires_at) < now:
        return None
    unit = session.get_one(Unit, invite.unit_id)
    recipient = _recipient_named(session, invite.recipient_name or unit.name)
    _learn_address(session, recipient, channel, address, now)
    if session.scalars(select(Subscription).where(Subscription.recipient_id == recipient.id,
                                                  Subscription.unit_id == unit.id)).one_or_none() is None:
        session.add(Subscription(recipient_id=recipient.id, unit_id=unit.id, origin=INVITE))
    invite.used_at, invite.used_channel, invite.used_address = now, channel, address
    session.flush()
    return Onboarding(recipient=recipient.name, unit=unit.name, channel=channel, address=address)


def _aware(moment: dt.datetime) -> dt.datetime:
    """A stored timestamp as an aware UTC datetime (SQLite returns naive ones)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _recipient_named(session: Session, name: str) -> Recipient:
    """The recipient with this name, created (origin invite, default offsets) when missing."""
    recipient = session.scalars(select(Recipient).where(Recipient.name == name)).one_or_none()
    if recipient is None:
        recipient = Recipient(name=name, origin=INVITE, due_soon_days=list(DEFAULT_DUE_SOON_DAYS),
                              digests=["daily", "weekly"])
        session.add(recipient)
        session.flush()
    return recipient


def _learn_address(session: Session, recipient: Recipient, channel: str, address: str,
                   now: dt.datetime) -> None:
    """Record (or reactivate) a runtime-learned channel address of a recipient."""
    row = session.scalars(select(ChannelAddress).where(ChannelAddress.recipient_id == recipient.id,
                                                       ChannelAddress.channel == channel,
                                                       ChannelAddress.address == address)).one_or_none()
    if row is None:
        row = ChannelAddress(recipient_id=recipient.id, channel=channel, address=address, origin=INVITE)
        session.add(row)
    row.active = True
    row.last_interaction_at = now


# --- queries for the notifier -------------------------------------------------------------------


class EventKind(StrEnum):
    """What happened to a task; stored in task_events.kind."""

    NEW = "new"
    DEADLINE_CHANGED = "deadline_changed"
    STATUS_CHANGED = "status_changed"
    LEAD_CHANGED = "lead_changed"
    DONE = "done"
    NO_LONGER_LISTED = "no_longer_listed"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class TaskEventRecord:
    """One recorded task event: unique per (task, kind, key), dated `on` (the as_of day it was seen).

    old/new: the changed value (due date, status, lead names) before and after; for due_soon and
    overdue, new is the due date and `days` the due-soon offset that was crossed.
    """

    task_id: int
    kind: EventKind
    key: str
    on: dt.date
    old: str | None = None
    new: str | None = None
    days: int | None = None


@dataclass(frozen=True)
class TrackedTask:
    """A stored task as the digest stage sees it, with its source document's number and link."""

    id: int
    action: str
    lead: tuple[str, ...]
    support: tuple[str, ...]
    deadline: Deadline
    status: Status | None
    source_refs: tuple[str, ...]
    document_number: str | None
    document_url: str | None
    listed: bool
    first_seen: dt.date
    last_seen: dt.date


def event_record(row: TaskEvent) -> TaskEventRecord:
    """The frozen record of a stored event row."""
    detail = row.detail or {}
    old, new, days = detail.get("old"), detail.get("new"), detail.get("days")
    return TaskEventRecord(task_id=row.task_id, kind=EventKind(row.kind), key=row.key, on=row.on,
                           old=None if old is None else str(old), new=None if new is None else str(new),
                           days=int(str(days)) if days is not None else None)


def events_since(session: Session, since: dt.date | None, until: dt.date, *,
                 kinds: Collection[EventKind] | None = None,
                 task_ids: Collection[int] | None = None) -> list[TaskEventRecord]:
    """Events recorded in (since, until] (all up to `until` when since is None), oldest first."""
    query = select(TaskEvent).where(TaskEvent.on <= until).order_by(TaskEvent.on, TaskEvent.id)
    if since is not None:
        query = query.where(TaskEvent.on > since)
    if kinds is not None:
        query = query.where(TaskEvent.kind.in_([str(k) for k in kinds]))
    if task_ids is not None:
        query = query.where(TaskEvent.task_id.in_(list(task_ids)))
    return [event_record(row) for row in session.scalars(query)]


def tasks_by_unit(session: Session, units: Iterable[str], resolver: UnitResolver, *,
                  listed_only: bool = True) -> dict[str, list[TrackedTask]]:
    """For each unit, the tasks naming it, an alias or a collective covering it as lead or support."""
    wanted: dict[str, list[str]] = {}
    for unit in units:
        for key in _equivalent_keys(resolver.canonical(unit)):
            wanted.setdefault(key, []).append(unit)
    found: dict[str, list[TrackedTask]] = {unit: [] for names in wanted.values() for unit in names}
    query = select(*_TASK_COLUMNS, Document.number, Document.url).outerjoin(
        Document, Document.id == Task.document_id)
    if listed_only:
        query = query.where(Task.listed.is_(True))
    for row in session.execute(query.order_by(Task.id)):
        reached = resolver.reached_by((*row.lead, *row.support))
        hits = {unit for key in reached & wanted.keys() for unit in wanted[key]}
        if hits:
            task = tracked_task(row)
            for unit in hits:
                found[unit].append(task)
    return found


def tasks_for_unit(session: Session, unit: str, resolver: UnitResolver) -> list[TrackedTask]:
    """The listed tasks that concern one unit (for `dondoc digest --unit`)."""
    return tasks_by_unit(session, [unit], resolver)[unit]


_TASK_COLUMNS = (Task.id, Task.action, Task.lead, Task.support, Task.deadline_raw, Task.due, Task.due_time,
                 Task.precision, Task.status, Task.source_refs, Task.listed, Task.first_seen, Task.last_seen)


def tracked_task(row: Any) -> TrackedTask:
    """The frozen record of a result row holding _TASK_COLUMNS plus the document's number and url."""
    return TrackedTask(
        id=row.id,
        action=row.action,
        lead=tuple(row.lead),
        support=tuple(row.support),
        deadline=Deadline(raw=row.deadline_raw, due=row.due, precision=Precision(row.precision),
                          time=dt.time.fromisoformat(row.due_time) if row.due_time else None),
        status=Status(row.status) if row.status else None,
        source_refs=tuple(row.source_refs),
        document_number=row.number or (row.source_refs[0] if row.source_refs else None),
        document_url=row.url,
        listed=row.listed,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
    )
