"""The web application's access rows: accounts (editor, operator) and personal link tokens.

A token is shown once, when it is made; only its SHA-256 is stored, so a copy of the database opens
no page. A unit token opens one unit's pages; a calendar token one recipient's .ics feed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.storage.schema import Recipient, Unit, WebToken, WebUser

ROLES = ("editor", "operator")
UNIT_LINK, CALENDAR_LINK = "unit", "calendar"
TOKEN_BYTES = 32
TOKEN_CHARS = 43  # the length of secrets.token_urlsafe(TOKEN_BYTES): 32 bytes in unpadded base64


@dataclass(frozen=True)
class StoredUser:
    """An account as the login check reads it."""

    id: int
    name: str
    role: str
    password_hash: str


@dataclass(frozen=True)
class LinkGrant:
    """What a valid personal link opens: a unit's pages or a recipient's calendar."""

    token_id: int
    kind: str
    unit: str | None
    recipient_id: int | None
    recipient: str | None


def token_digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(session: Session, name: str, role: str, password_hash: str, at: dt.datetime) -> None:
    """Create an account, or set a known one's role and password."""
    user = session.scalars(select(WebUser).where(WebUser.name == name)).first()
    if user is None:
        session.add(WebUser(name=name, role=role, password_hash=password_hash, created_at=at))
    else:
        user.role, user.password_hash = role, password_hash
    session.flush()


def find_user(session: Session, name: str) -> StoredUser | None:
    """The account of that name, if any."""
    user = session.scalars(select(WebUser).where(WebUser.name == name)).first()
    return None if user is None else StoredUser(user.id, user.name, user.role, user.password_hash)


def issue_token(session: Session, kind: str, at: dt.datetime, *, unit_id: int | None = None,
                recipient_id: int | None = None, valid_days: int | None = None) -> str:
    """Make a long random token for a unit's pages or a recipient's calendar; return it (shown once)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = at + dt.timedelta(days=valid_days) if valid_days else None
    session.add(WebToken(token_hash=token_digest(token), kind=kind, unit_id=unit_id,
                         recipient_id=recipient_id, created_at=at, expires_at=expires))
    session.flush()
    return token


def revoke_token(session: Session, token: str, at: dt.datetime) -> bool:
    """Revoke a token; False when no such token is stored."""
    row = session.scalars(select(WebToken).where(WebToken.token_hash == token_digest(token))).first()
    if row is None:
        return False
    row.revoked_at = row.revoked_at or at
    session.flush()
    return True


def grant_of(session: Session, token: str, kind: str, at: dt.datetime) -> LinkGrant | None:
    """What a token opens, or None when it is unknown, of another kind, revoked or expired."""
    query = (select(WebToken, Unit.name, Recipient.name)
             .outerjoin(Unit, Unit.id == WebToken.unit_id)
             .outerjoin(Recipient, Recipient.id == WebToken.recipient_id)
             .where(WebToken.token_hash == token_digest(token), WebToken.kind == kind))
    found = session.execute(query).first()
    if found is None:
        return None
    row, unit, recipient = found
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= at):
        return None
    return LinkGrant(row.id, row.kind, unit, row.recipient_id, recipient)


def unit_id_of(session: Session, name: str) -> int | None:
    """The stored unit of that canonical name."""
    return session.scalars(select(Unit.id).where(Unit.name == name)).first()


def unit_ids(session: Session) -> dict[str, int]:
    """Every stored unit's id by its canonical name (one query)."""
    return {name: unit_id for unit_id, name in session.execute(select(Unit.id, Unit.name))}
