"""Typed, immutable records handed from one pipeline stage to the next.

Every stage (crawl -> documents -> tasks -> differ -> digest -> channels) takes and returns these
frozen dataclasses, so a stage can be tested alone and never shares mutable state with another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Precision(StrEnum):
    """How exactly a deadline is known; the due date is the last day of that period."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    RECURRING = "recurring"
    NONE = "none"


class Status(StrEnum):
    """A task's reported state, normalized from the document's own words."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    IN_PROGRESS_OVERDUE = "in_progress_overdue"
    NOT_STARTED = "not_started"


class DocumentKind(StrEnum):
    """What a document is, which decides how tasks are found in it."""

    ARTICLE = "article"
    DIRECTIVE = "directive"
    REPORT = "report"


@dataclass(frozen=True)
class Deadline:
    """A deadline as written (raw) and as a date (due = last allowed day), with its precision."""

    raw: str | None
    due: dt.date | None
    precision: Precision
    time: dt.time | None = None

    @classmethod
    def none(cls) -> Deadline:
        """The deadline of a task whose text gives none."""
        return cls(raw=None, due=None, precision=Precision.NONE)


@dataclass(frozen=True)
class Table:
    """A table taken as cells (from pdfplumber or an HTML <table>), rows of stripped cell texts."""

    rows: tuple[tuple[str, ...], ...]
    line: int = 1
    cell_lines: tuple[tuple[int, ...], ...] = ()  # 1-based file line of each cell, when known


@dataclass(frozen=True)
class DocumentText:
    """A document's clean text and metadata: the input of task extraction."""

    name: str
    text: str
    kind: DocumentKind = DocumentKind.DIRECTIVE
    number: str | None = None
    issuer: str | None = None
    issued: dt.date | None = None
    title: str | None = None
    url: str | None = None
    published: dt.datetime | None = None
    author: str | None = None
    section: str | None = None  # the outlet's section or category an article was published under
    signer: str | None = None
    summary: str | None = None
    tables: tuple[Table, ...] = ()
    needs_ocr: bool = False
    ocr_confidence: float | None = None  # Tesseract's mean word confidence (0-100) when the text was OCR'd
    ocr_pages: tuple[int, ...] = ()  # an OCR'd text's first line (1-based) of each page of the scan
    notices: tuple[str, ...] = ()  # what the reader had to work around (wrong encoding, too-deep HTML)


@dataclass(frozen=True)
class ExtractedTask:
    """One task (nhiệm vụ) found in a document, with where it was found (provenance)."""

    action: str
    lead: tuple[str, ...]
    support: tuple[str, ...]
    deadline: Deadline
    status: Status | None
    source_refs: tuple[str, ...]
    line: int
    anchor: str
    start: int = 0
    end: int = 0
    note: str = ""
    required_result: str = ""  # the "Kết quả yêu cầu" / "Sản phẩm" cell, when the table has one


@dataclass(frozen=True)
class FetchedPage:
    """One HTTP response as the crawler saw it: raw bytes plus the metadata needed to refetch politely."""

    source: str
    url: str
    status: int
    content: bytes
    content_type: str | None
    fetched_at: dt.datetime
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
