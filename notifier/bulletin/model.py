"""Typed records of the weekly bulletin: the period, the articles read from storage, the editable draft.

The draft is the hand-off between the two halves: `draft.py` builds it from the database and writes it
as TOML for an editor; `render.py` reads the edited file back into the same records and renders them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crawler.config import BulletinSectionConfig


@dataclass(frozen=True)
class Period:
    """The days a bulletin covers, both ends included, with the label it was asked by."""

    start: dt.date
    end: dt.date
    label: str


@dataclass(frozen=True)
class Article:
    """One stored article as the bulletin needs it (the newest version of its URL)."""

    id: int
    url: str
    title: str
    summary: str
    source: str
    published: dt.date
    author: str | None
    text: str = ""  # the full text, cleaned (bulletin/body.py), paragraphs separated by blank lines
    section: str | None = None  # the outlet's section it was published under


# A bulletin section and the documented rule that sends an article to it: the `[[bulletin.sections]]`
# config entry itself (the rules are in bulletin/classify.py). Sections are listed in reading order;
# the section marked `default` takes every article no rule matched.
SectionRule = BulletinSectionConfig


@dataclass(frozen=True)
class DraftSection:
    """A section of the draft: the key items refer to, and the heading readers see."""

    key: str
    title: str


@dataclass(frozen=True)
class DraftItem:
    """One bulletin item as the editor left it; `line` is the line of its id in the draft file."""

    id: int
    section: str
    order: int
    include: bool
    title: str
    summary: str
    source: str
    date: dt.date | None
    author: str | None
    url: str
    duplicates: tuple[str, ...] = ()
    reason: str = ""  # why the draft put the item in its section (informational)
    line: int = 0


@dataclass(frozen=True)
class Draft:
    """A whole bulletin draft: masthead fields, sections in reading order, and every candidate item."""

    title: str
    issue: str
    publisher: str
    period_start: dt.date
    period_end: dt.date
    sections: tuple[DraftSection, ...]
    items: tuple[DraftItem, ...]
