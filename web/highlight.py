"""Where each task was read in a document's text, and the text with those places marked.

A task's place starts at its sighting's line (and column, when the task was first read from this
very document); without a usable line, the extractor's first words are looked for in the text. The
mark then runs over the extractor's words (the task's action_key) as they follow in the text, a
word at a time, so wrapped lines and table cells in between stay inside it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from crawler.extract.normalize import match_key

WORD = re.compile(r"\w+")
LOOKAHEAD_TOKENS = 12  # how far past the last matched word the next one may be
LOCATE_WORDS = 5


@dataclass(frozen=True)
class Token:
    """A word of the text: its offsets and its matching form."""

    start: int
    end: int
    key: str


@dataclass(frozen=True)
class Placed:
    """A task to mark: its id, its line and column (0: unknown) and the extractor's words."""

    task_id: int
    line: int
    column: int
    words: tuple[str, ...]


@dataclass(frozen=True)
class Mark:
    """A marked stretch of the text and the tasks read there."""

    start: int
    end: int
    task_ids: tuple[int, ...]


def tokens_of(text: str) -> list[Token]:
    """The words of a text with their offsets."""
    return [Token(m.start(), m.end(), match_key(m.group())) for m in WORD.finditer(text)]


def _locate(tokens: Sequence[Token], words: Sequence[str]) -> int | None:
    """The offset where the first words of the action appear in a row, if they do."""
    head = list(words[:LOCATE_WORDS])
    if not head:
        return None
    keys = [token.key for token in tokens]
    for i in range(len(keys) - len(head) + 1):
        if keys[i:i + len(head)] == head:
            return tokens[i].start
    return None


def _cover(tokens: Sequence[Token], begin: int, words: Sequence[str], line_end: int) -> int:
    """Where the mark starting at `begin` ends: past the last of the words found in order, each
    within a few words of the previous one (a word not found is skipped); at least the line's end."""
    starts = [token.start for token in tokens]
    at, end = bisect.bisect_left(starts, begin), line_end
    for word in words:
        ahead = tokens[at:at + LOOKAHEAD_TOKENS]
        found = next((i for i, token in enumerate(ahead) if token.key == word), None)
        if found is not None:
            end = max(end, ahead[found].end)
            at += found + 1
    return end


def spans(text: str, placed: Sequence[Placed]) -> list[Mark]:
    """The marks of the placed tasks in the text, overlapping ones merged."""
    tokens = tokens_of(text)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    found: list[Mark] = []
    for task in placed:
        if 1 <= task.line <= len(line_starts):
            line_start = line_starts[task.line - 1]
            line_end = text.find("\n", line_start)
            line_end = len(text) if line_end < 0 else line_end
            begin = min(line_start + task.column, line_end)
        else:
            located = _locate(tokens, task.words)
            if located is None:
                continue
            begin = line_end = located
        found.append(Mark(begin, _cover(tokens, begin, task.words, line_end), (task.task_id,)))
    return _merged(found)


def _merged(marks: list[Mark]) -> list[Mark]:
    """Marks in text order, overlapping ones joined into one naming every task."""
    out: list[Mark] = []
    for mark in sorted(marks, key=lambda m: (m.start, m.end)):
        if out and mark.start < out[-1].end:
            last = out[-1]
            out[-1] = Mark(last.start, max(last.end, mark.end), (*last.task_ids, *mark.task_ids))
        else:
            out.append(mark)
    return out


def marked_text(text: str, marks: Sequence[Mark]) -> Markup:
    """The text, escaped, with each mark a <mark> carrying its tasks' anchors and numbers."""
    parts: list[str] = []
    at = 0
    for mark in marks:
        parts.append(str(escape(text[at:mark.start])))
        ids = mark.task_ids
        anchors = "".join(f'<span class="nv-anchor" id="nv-{task_id}"></span>' for task_id in ids)
        tags = "".join(f'<a class="nv-tag" href="#task-{task_id}">#{task_id}</a>' for task_id in ids)
        parts.append(f'<mark class="nv">{anchors}{tags} {escape(text[mark.start:mark.end])}</mark>')
        at = mark.end
    parts.append(str(escape(text[at:])))
    return Markup("".join(parts))
