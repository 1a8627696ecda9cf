"""Failed web logins, stored so the login throttle survives a restart of the web application."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crawler.storage.schema import WebLoginFailure


def recent_failures(session: Session, keys: Sequence[str], since: dt.datetime) -> dict[str, int]:
    """How many failures each key has after `since`."""
    query = (select(WebLoginFailure.key, func.count()).where(WebLoginFailure.key.in_(list(keys)),
                                                             WebLoginFailure.at > since)
             .group_by(WebLoginFailure.key))
    return {key: int(count) for key, count in session.execute(query)}


def record_failure(session: Session, keys: Sequence[str], at: dt.datetime,
                   forget_before: dt.datetime) -> None:
    """Store a failure under each key, and drop failures too old to count."""
    session.execute(delete(WebLoginFailure).where(WebLoginFailure.at <= forget_before))
    session.add_all(WebLoginFailure(key=key[:250], at=at) for key in keys)
    session.flush()
