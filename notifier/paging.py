"""A digest as the messages a channel sends: chat channels get at most five items a message.

On a phone a message of five items stays about one screen (SCREEN_CHARS of visible text), and a
channel's own limits (Telegram's 4096 characters and 100 tags, Zalo's 2000) are never passed. The
items keep the digest's order, so the first message holds the most urgent ones (overdue by days
late, then due soon), and their numbers run on across messages, the numbers "/xong N" answers.
A digest needing more than MAX_PARTS messages stops there; its last message counts the rest.
Channels with no limit (console, file, email) get the whole digest as one message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from notifier.channels import part_limits
from notifier.digest import Digest, DigestItem, DigestPage, DigestSection
from notifier.render import count_tags, render_digest, split_parts, utf16_len, visible

ITEMS_PER_PART = 5
MAX_PARTS = 8
SCREEN_CHARS = 2200  # visible characters of five items: about one phone screen with small text


@dataclass(frozen=True)
class DigestMessage:
    """One message of a digest for a channel: subject, body, optional HTML and the task ids of the
    whole digest as this channel shows it (item N is task_ids[N - 1])."""

    subject: str
    body: str
    html: str | None
    task_ids: tuple[int, ...]


def digest_messages(digest: Digest, channel: str) -> list[DigestMessage]:
    """The messages that carry `digest` on `channel`, in sending order."""
    limit, max_tags = part_limits(channel)
    if not limit:
        rendered = render_digest(digest, channel)
        return [DigestMessage(rendered.subject, rendered.body, rendered.html, digest.task_order)]
    pages = paginate(digest, lambda page: _fits(digest, channel, page, limit, max_tags))
    shown = tuple(task_id for page in pages for task_id in page.task_ids)
    bodies: list[tuple[str, str, str | None]] = []
    for page in pages:
        rendered = render_digest(digest, channel, page)
        for part in split_parts(rendered.body, limit, max_tags):  # a single oversized item only
            bodies.append((rendered.subject, part, rendered.html))
    total = len(bodies)
    return [
        DigestMessage(subject if total == 1 else f"{subject} ({index}/{total})", body, html, shown)
        for index, (subject, body, html) in enumerate(bodies, start=1)
    ]


def paginate(digest: Digest, fits: Callable[[DigestPage], bool]) -> tuple[DigestPage, ...]:
    """Cut the digest's items into pages of at most ITEMS_PER_PART that `fits` accepts (a page of one
    item always goes), at most MAX_PARTS of them; the last page, which also counts the items left
    out and says how to answer, gives its last items to a page of their own when it overflows."""
    items = _numbered(digest)
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(items) and len(spans) < MAX_PARTS:
        count = min(ITEMS_PER_PART, len(items) - first)
        while count > 1 and not fits(_page(digest, first, count, items, last=False)):
            count -= 1
        spans.append((first, count))
        first += count
    while spans and spans[-1][1] > 1 and not fits(_page(digest, *spans[-1], items, last=True)):
        start, count = spans[-1]
        spans[-1] = (start, count - 1)
        if len(spans) < MAX_PARTS:
            spans.append((start + count - 1, 1))
    shown = sum(count for _, count in spans)
    pages = [_page(digest, start, count, items) for start, count in spans]
    return tuple(
        dataclasses.replace(page, number=number, total=len(pages), last=number == len(pages),
                            rest=len(items) - shown if number == len(pages) else 0)
        for number, page in enumerate(pages, start=1)
    )


def _numbered(digest: Digest) -> list[tuple[DigestSection, int, DigestItem]]:
    """Every item with its section and its position in that section, in digest order."""
    return [(section, index, item) for section in digest.sections for index, item in enumerate(section.items)]


def _page(
    digest: Digest,
    first: int,
    count: int,
    items: list[tuple[DigestSection, int, DigestItem]],
    *,
    last: bool | None = None,
) -> DigestPage:
    """Items first..first+count as a page, each section cut to its items here (numbers kept). With
    `last` given, the page is made as long as it could become, to measure: a two-digit part label,
    the digest's counts when it is the first, and when `last` a rest line and the hint."""
    sections: list[DigestSection] = []
    for section, index, item in items[first : first + count]:
        if sections and sections[-1].key == section.key:
            sections[-1] = dataclasses.replace(sections[-1], items=(*sections[-1].items, item))
            continue
        sections.append(
            dataclasses.replace(section, items=(item,), start=section.start + index, continued=index > 0)
        )
    if last is None:
        return DigestPage(tuple(sections))
    return DigestPage(tuple(sections), number=1 if first == 0 else 10, total=10, rest=999 if last else 0,
                      last=last)


def _fits(digest: Digest, channel: str, page: DigestPage, limit: int, max_tags: int | None) -> bool:
    """Whether a page renders within the channel's limits and about one phone screen."""
    body = render_digest(digest, channel, page).body
    parts = split_parts(body, limit, max_tags)
    return (
        len(parts) == 1
        and utf16_len(parts[0]) <= limit
        and (max_tags is None or count_tags(parts[0]) <= max_tags)
        and len(visible(body, channel)) <= SCREEN_CHARS
    )
