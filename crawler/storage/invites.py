"""One-time onboarding codes: created by `dondoc invite`, redeemed once by a chat through a bot."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.errors import DondocError
from crawler.storage.outbox import release_awaiting
from crawler.storage.recipients import DEFAULT_DUE_SOON_DAYS, INVITE
from crawler.storage.schema import ChannelAddress, InviteCode, Recipient, Subscription, Unit
from crawler.storage.units import UnitResolver, find_unit

INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are read aloud and retyped
INVITE_LENGTH = 8


@dataclass(frozen=True)
class Onboarding:
    """The outcome of a redeemed invite: who now receives which unit's digests, where."""

    recipient: str
    unit: str
    channel: str
    address: str


@dataclass(frozen=True)
class UsedInvite:
    """A stored invite that cannot be redeemed now: its unit, the chat that redeemed it (if used)
    and when it expires."""

    unit: str
    channel: str | None
    address: str | None
    expires_at: dt.datetime


def create_invite(session: Session, unit_name: str, resolver: UnitResolver, now: dt.datetime, *,
                  recipient: str | None = None, valid_for: dt.timedelta = dt.timedelta(days=7)) -> str:
    """Store and return a one-time code that subscribes whoever sends it to the bot to a unit."""
    unit = find_unit(session, unit_name, resolver)
    if unit is None:
        raise DondocError(f"Không tìm thấy đơn vị '{unit_name}' trong danh mục đơn vị")
    code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    session.add(InviteCode(code=code, unit_id=unit.id, recipient_name=recipient, created_at=now,
                           expires_at=now + valid_for))
    session.flush()
    return code


def _invite(session: Session, code: str) -> InviteCode | None:
    """The stored invite of a code as typed (case and edge spaces ignored)."""
    return session.scalars(select(InviteCode).where(InviteCode.code == code.strip().upper())).one_or_none()


def redeem_invite(session: Session, code: str, channel: str, address: str,
                  now: dt.datetime) -> Onboarding | None:
    """Use a code once: record the sender's address and subscribe them; None if unknown, used or expired."""
    invite = _invite(session, code)
    if invite is None or invite.used_at is not None or invite.expires_at < now:
        return None
    unit = session.get_one(Unit, invite.unit_id)
    recipient = _recipient_named(session, invite.recipient_name or unit.name)
    _learn_address(session, recipient, channel, address, now)
    release_awaiting(session, recipient.id, channel, address)  # digests held until this address was known
    if session.scalars(select(Subscription).where(Subscription.recipient_id == recipient.id,
                                                  Subscription.unit_id == unit.id)).one_or_none() is None:
        session.add(Subscription(recipient_id=recipient.id, unit_id=unit.id, origin=INVITE))
    invite.used_at, invite.used_channel, invite.used_address = now, channel, address
    session.flush()
    return Onboarding(recipient=recipient.name, unit=unit.name, channel=channel, address=address)


def used_invite(session: Session, code: str) -> UsedInvite | None:
    """The unit and redeeming chat of a stored code, or None when no such code exists."""
    invite = _invite(session, code)
    if invite is None:
        return None
    unit = session.get_one(Unit, invite.unit_id)
    return UsedInvite(unit=unit.name, channel=invite.used_channel, address=invite.used_address,
                      expires_at=invite.expires_at)


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
