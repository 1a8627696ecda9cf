"""Recipients, their channel addresses and unit subscriptions: config sync and the queries on them.

Config sync is idempotent and only touches what the config owns (rows with origin "config"):
channel addresses and subscriptions learned at runtime (origin "invite", e.g. a Telegram chat id
recorded from `/start CODE`) survive every sync. After a sync the database is the one source of
recipients: a chat channel the config names without an address is stored as the placeholder
address UNLEARNED (its digests are held until onboarding teaches the chat id), and a recipient the
config no longer lists is retired (no digests) unless it onboarded by invite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crawler.config import RecipientConfig, UnitConfig
from crawler.storage.schema import ChannelAddress, Recipient, Subscription, Unit
from crawler.storage.units import UnitDirectory, UnitResolver, ensure_unit, load_resolver, sync_units

CONFIG = "config"
INVITE = "invite"
RETIRED = "retired"  # a config recipient the config no longer lists
UNLEARNED = "-"  # the address of a chat channel whose chat or user id no onboarding has taught yet
LEARNED_CHANNELS = ("telegram", "zalo")  # addresses these channels learn at onboarding, never from config
DEFAULT_DUE_SOON_DAYS = (7, 3, 1)


@dataclass(frozen=True)
class StoredAddress:
    """One stored channel address of a recipient, and whether it still receives."""

    channel: str
    address: str
    active: bool


@dataclass(frozen=True)
class StoredRecipient:
    """A recipient that gets digests, with its settings as stored."""

    id: int
    name: str
    due_soon_days: tuple[int, ...]
    digests: tuple[str, ...]


# --- config sync ------------------------------------------------------------------------------------


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
        if gone.origin == CONFIG:
            gone.origin = RETIRED
    session.flush()


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
    """The (channel, address) pairs a config entry fixes; a chat channel without an address gets the
    placeholder UNLEARNED until onboarding teaches it."""
    return {(c.type, c.address or (UNLEARNED if c.type in LEARNED_CHANNELS else "")) for c in spec.channels}


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


# --- recipients -------------------------------------------------------------------------------------


def recipient_names(session: Session) -> list[str]:
    """The names of every stored recipient (from the config or from invites), sorted."""
    return sorted(session.scalars(select(Recipient.name)))


def recipient_id(session: Session, name: str) -> int:
    """The id of the stored recipient of that name, created when the config sync has not run yet."""
    row = session.scalar(select(Recipient).where(Recipient.name == name))
    if row is None:
        row = Recipient(name=name)
        session.add(row)
        session.flush()
    return row.id


def digest_recipients(session: Session) -> list[StoredRecipient]:
    """The recipients that get digests (from the last config sync or onboarded by invite), oldest first."""
    query = select(Recipient).where(Recipient.origin.in_((CONFIG, INVITE))).order_by(Recipient.id)
    return [
        StoredRecipient(r.id, r.name, tuple(r.due_soon_days or DEFAULT_DUE_SOON_DAYS), tuple(r.digests or ()))
        for r in session.scalars(query)
    ]


def due_soon_offsets(session: Session) -> tuple[int, ...]:
    """Every due-soon offset some recipient wants, largest first (default 7, 3, 1)."""
    offsets = {int(d) for days in session.scalars(select(Recipient.due_soon_days)) for d in days}
    return tuple(sorted(offsets or DEFAULT_DUE_SOON_DAYS, reverse=True))


def subscribed_units(session: Session, recipient_ids: Sequence[int], *, by_name: bool = False) -> list[str]:
    """Names of the units these recipients subscribed to (config and invite), each once."""
    query = (
        select(Unit.name)
        .join(Subscription, Subscription.unit_id == Unit.id)
        .where(Subscription.recipient_id.in_(list(recipient_ids)))
    )
    return list(dict.fromkeys(session.scalars(query.order_by(Unit.name) if by_name else query)))


def units_by_recipient(session: Session) -> dict[int, list[str]]:
    """Every recipient's subscribed unit names, each once, in one query (for a whole digest run)."""
    query = (select(Subscription.recipient_id, Unit.name).join(Unit, Unit.id == Subscription.unit_id)
             .order_by(Subscription.id))
    found: dict[int, list[str]] = {}
    for recipient, name in session.execute(query):
        names = found.setdefault(recipient, [])
        if name not in names:
            names.append(name)
    return found


# --- addresses --------------------------------------------------------------------------------------


def addresses_of(session: Session, recipient: int) -> list[StoredAddress]:
    """Every stored address of a recipient, active or not, in storage order."""
    rows = session.scalars(select(ChannelAddress).where(ChannelAddress.recipient_id == recipient)).all()
    return [StoredAddress(row.channel, row.address, row.active) for row in rows]


def delivery_addresses(session: Session, recipient: int) -> list[tuple[str, str]]:
    """Where a recipient's messages go: its active addresses, and the placeholder UNLEARNED of a chat
    channel only while that channel has no learned address (so digests are held, once, not twice)."""
    rows = addresses_of(session, recipient)
    return _deliverable([(row.channel, row.address) for row in rows if row.active])


def delivery_addresses_by_recipient(session: Session) -> dict[int, list[tuple[str, str]]]:
    """`delivery_addresses` of every recipient, in one query (for a whole digest run)."""
    query = (select(ChannelAddress.recipient_id, ChannelAddress.channel, ChannelAddress.address)
             .where(ChannelAddress.active.is_(True)).order_by(ChannelAddress.id))
    active: dict[int, list[tuple[str, str]]] = {}
    for recipient, channel, address in session.execute(query):
        active.setdefault(recipient, []).append((channel, address))
    return {recipient: _deliverable(pairs) for recipient, pairs in active.items()}


def _deliverable(active: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Active (channel, address) pairs less the placeholder of a chat channel that has a learned one."""
    learned = {channel for channel, address in active if address != UNLEARNED}
    return [(channel, address) for channel, address in active
            if address != UNLEARNED or channel not in learned]


def receiving_recipients(session: Session, channel: str, address: str) -> list[int]:
    """Ids of the recipients receiving on this active chat or user id."""
    query = select(ChannelAddress.recipient_id).where(
        ChannelAddress.channel == channel, ChannelAddress.address == address, ChannelAddress.active.is_(True)
    )
    return list(session.scalars(query))


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


def move_address(session: Session, channel: str, old: str, new: str) -> None:
    """Rename an address on a channel in one statement, whatever the session holds."""
    session.execute(
        update(ChannelAddress)
        .where(ChannelAddress.channel == channel, ChannelAddress.address == old)
        .values(address=new)
        .execution_options(synchronize_session=False)
    )


def deactivate_address(session: Session, channel: str, address: str) -> None:
    """Stop using an address on a channel in one statement (the channel says it is gone)."""
    session.execute(
        update(ChannelAddress)
        .where(ChannelAddress.channel == channel, ChannelAddress.address == address)
        .values(active=False)
        .execution_options(synchronize_session=False)
    )


def touch_interaction(session: Session, channel: str, address: str, moment: dt.datetime) -> None:
    """Record a user's latest interaction on a channel (never moving it back in time)."""
    session.execute(
        update(ChannelAddress)
        .where(
            ChannelAddress.channel == channel,
            ChannelAddress.address == address,
            (ChannelAddress.last_interaction_at.is_(None)) | (ChannelAddress.last_interaction_at < moment),
        )
        .values(last_interaction_at=moment)
        .execution_options(synchronize_session=False)
    )


def last_interaction(session: Session, channel: str, address: str) -> dt.datetime | None:
    """The latest recorded interaction of a user on a channel, or None."""
    return session.scalar(
        select(ChannelAddress.last_interaction_at)
        .where(ChannelAddress.channel == channel, ChannelAddress.address == address)
        .order_by(ChannelAddress.last_interaction_at.desc())
        .limit(1)
    )


def recipient_display_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """The names of recipients by id."""
    rows = session.execute(select(Recipient.id, Recipient.name).where(Recipient.id.in_(list(ids)))).all()
    return {int(rid): str(name) for rid, name in rows}
