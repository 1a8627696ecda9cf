"""Who is asking: passwords (argon2), the session's account or personal link, CSRF tokens, and the
login throttle."""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
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
    """At most LOGIN_FAILURES_ALLOWED failed logins per client address and per name in a window."""

    def __init__(self) -> None:
        """No failures yet."""
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, at: float) -> deque[float]:
        """The failures of a key still inside the window."""
        times = self._failures[key]
        while times and times[0] <= at - LOGIN_WINDOW_S:
            times.popleft()
        return times

    def blocked(self, client: str, name: str) -> bool:
        """Whether this client or this name has used up its attempts."""
        at = time.monotonic()
        return any(len(self._recent(key, at)) >= LOGIN_FAILURES_ALLOWED for key in (client, f"name:{name}"))

    def failed(self, client: str, name: str) -> None:
        """Count a failed login."""
        at = time.monotonic()
        for key in (client, f"name:{name}"):
            self._recent(key, at).append(at)
