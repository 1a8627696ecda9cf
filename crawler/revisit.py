"""When a known document is revalidated: a schedule by age, spread over time by a stable per-URL phase.

A document younger than `daily_days` is checked once a day, one younger than `weekly_days` once a
week, an older one every `old_every_days` (0 = never). Each URL's checks fall on its own slots
(`phase + k * interval` since the epoch, the phase taken from a hash of the URL), so a source's
documents come due on different hours and days instead of all in one run: a URL is due when one of
its slots has passed since its last check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from crawler.config import RevisitConfig

_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class KnownPage:
    """What the last crawls know of a URL: its validators, when it was last checked, how old its
    document is (`born`: published or issued, else first fetched) and, when the URL is an HTML page
    holding a document, the name of the source that stored it (that source revisits it on schedule,
    listed or not)."""

    etag: str | None
    last_modified: str | None
    checked_at: dt.datetime
    born: dt.datetime
    document_of: str | None = None


def interval(policy: RevisitConfig, age: dt.timedelta) -> dt.timedelta | None:
    """The time between two checks of a document this old, or None when it is no longer checked."""
    if age < policy.daily_days * DAY:
        return DAY
    if age < policy.weekly_days * DAY:
        return 7 * DAY
    return policy.old_every_days * DAY if policy.old_every_days else None


def phase(url: str, step: dt.timedelta) -> dt.timedelta:
    """The URL's stable offset inside one interval (the same on every run and every machine)."""
    seconds = int(step.total_seconds())
    value = int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:8], "big")
    return dt.timedelta(seconds=value % seconds)


def _slot(url: str, step: dt.timedelta, moment: dt.datetime) -> int:
    """The index of the last slot of `url` at or before `moment`."""
    return (moment - _EPOCH - phase(url, step)) // step


def next_check(url: str, known: KnownPage, policy: RevisitConfig, now: dt.datetime) -> dt.datetime | None:
    """The first slot after the last check, at the interval the document's age at `now` gives."""
    step = interval(policy, now - known.born)
    if step is None:
        return None
    return _EPOCH + phase(url, step) + (_slot(url, step, known.checked_at) + 1) * step


def is_due(url: str, known: KnownPage, policy: RevisitConfig, now: dt.datetime) -> bool:
    """True when one of the URL's slots has passed since its last check."""
    due = next_check(url, known, policy, now)
    return due is not None and due <= now
