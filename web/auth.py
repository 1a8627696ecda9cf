"""Who is asking: passwords (argon2), the session's account or personal link, CSRF tokens, and the
login throttle."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

HASHER = PasswordHasher()
LOGIN_FAILURES_ALLOWED = 5
LOGIN_WINDOW_S = 15 * 60


@dataclass(frozen=True)
class Visitor:
    """The session's holder: an account (name, role) or a unit's personal link (unit, token id)."""

    name: str = ""
    role: str = ""
    unit: str = ""
    token_id: int = 0

    @property
    def staff(self) -> bool:
        """An editor or operator, who sees every unit."""
        return self.role in ("editor", "operator")

    def may_see_unit(self, unit: str) -> bool:
        """Whether this visitor may open that unit's pages."""
        return self.staff or (bool(self.unit) and self.unit == unit)


def hash_password(password: str) -> str:
    """The argon2id hash stored for a password."""
    return HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether the password is the one hashed (False for a malformed hash too)."""
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def visitor(request: Request) -> Visitor:
    """The visitor the signed session cookie names (empty when nobody logged in)."""
    data = request.session
    return Visitor(name=str(data.get("name", "")), role=str(data.get("role", "")),
                   unit=str(data.get("unit", "")), token_id=int(data.get("token_id", 0)))


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every form carries it."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def csrf_ok(request: Request, submitted: object) -> bool:
    """Whether a form's token is the session's."""
    expected = request.session.get("csrf")
    return bool(expected) and isinstance(submitted, str) and secrets.compare_digest(str(expected), submitted)


class LoginThrottle:
    """At most LOGIN_FAILURES_ALLOWED failed logins per client address and per name in a window,
    counted in the database so that restarting the application does not reset them."""

    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        """Count in the database the sessions open, on that clock."""
        self._sessions, self._clock = sessions, clock

    @staticmethod
    def _keys(client: str, name: str) -> list[str]:
        """The keys a login attempt counts under."""
        return [client, f"name:{name}"]

    def blocked(self, client: str, name: str) -> bool:
        """Whether this client or this name has used up its attempts."""
        from crawler.storage.weblogins import recent_failures

        since = self._clock() - dt.timedelta(seconds=LOGIN_WINDOW_S)
        with self._sessions() as session:
            counts = recent_failures(session, self._keys(client, name), since)
        return any(count >= LOGIN_FAILURES_ALLOWED for count in counts.values())

    def failed(self, client: str, name: str) -> None:
        """Count a failed login."""
        from crawler.storage.weblogins import record_failure

        at = self._clock()
        with self._sessions() as session:
            record_failure(session, self._keys(client, name), at, at - dt.timedelta(seconds=LOGIN_WINDOW_S))
            session.commit()
