"""Personal links in digests: a unit head opens their unit's pages from the digest, without an account.

A token is never stored in clear (crawler.storage.webaccess keeps only its hash), and the outbox
stores every message before it is sent. So a digest carries a placeholder of the token's exact
length, and delivery puts a freshly issued token in its place just before the channel sends the
message: paging measured the real length, a copy of the database opens no page, and a message sent
again after a failure carries a token of its own (the unused one simply expires).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from crawler.storage.webaccess import TOKEN_CHARS, UNIT_LINK, issue_token
from notifier.digest import UnitLink

LINK_PATH = "/lien-ket/"
_PLACEHOLDER = re.compile(r"~dondoc-(\d+)~+")  # "~" is not in a token's alphabet nor escaped by HTML


def placeholder(unit_id: int) -> str:
    """The stand-in for a unit's token, as long as a real one."""
    return f"~dondoc-{unit_id}~".ljust(TOKEN_CHARS, "~")


def unit_links(base_url: str, units: Sequence[str], ids: Mapping[str, int]) -> tuple[UnitLink, ...]:
    """The links a digest for `units` offers: one per stored unit, none without a public address."""
    if not base_url:
        return ()
    base = base_url.rstrip("/") + LINK_PATH
    return tuple(UnitLink(unit, base + placeholder(ids[unit])) for unit in units if unit in ids)


def has_links(*texts: str | None) -> bool:
    """Whether a stored message still holds placeholders to fill."""
    return any(text and _PLACEHOLDER.search(text) for text in texts)


def fill_links(session: Session, texts: Sequence[str | None], now: dt.datetime,
               valid_days: int) -> tuple[str | None, ...]:
    """The texts of one message with each placeholder replaced by a new token of its unit (one token
    per unit, shared by the message's plain and HTML bodies); the caller commits the tokens first."""
    tokens: dict[int, str] = {}

    def token_for(match: re.Match[str]) -> str:
        """The message's token for the placeholder's unit, issued on first use."""
        unit_id = int(match[1])
        if unit_id not in tokens:
            tokens[unit_id] = issue_token(session, UNIT_LINK, now, unit_id=unit_id, valid_days=valid_days)
        return tokens[unit_id]

    return tuple(None if text is None else _PLACEHOLDER.sub(token_for, text) for text in texts)
