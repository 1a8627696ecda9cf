"""Render an edited bulletin draft as the seed bulletins look: HTML for email and a Word document.

Both show a masthead (title, issue "Số 14/2025", period), a table of contents linking to every item,
then each section with its items: title, summary, attribution "(Nhandan.vn 01/4, Diệu Thương)", a
"Về đầu trang" link back to the contents and the link to the original article.

Only items with include = true are rendered, sorted by section (in the order of [[sections]]) and
`order`, ties kept in file order; a section left without items is not printed. Scraped text is
escaped everywhere: Jinja autoescapes the HTML template, python-docx writes text as text.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from sqlalchemy.orm import Session

from crawler.errors import BulletinInputError
from notifier.bulletin.docxkit import add_bookmark, add_link, add_page_footer, set_fonts, set_page, xml_text
from notifier.bulletin.draft import check_draft_ids
from notifier.bulletin.draftfile import load_draft, paragraphs_of
from notifier.bulletin.model import Draft, DraftItem
from notifier.render import environment, safe_url

logger = logging.getLogger(__name__)

FORMATS = ("html", "docx")
TEMPLATE = "bulletin/bulletin.html.j2"
CONTENTS_ANCHOR = "muc_luc"
CONTENTS_TITLE = "Mục lục"
BACK_TO_TOP = "Về đầu trang"
ORIGINAL_LABEL = "Xem bài gốc: "


@dataclass(frozen=True)
class ItemView:
    """One item as printed: its anchor, number within the section, text and links."""

    anchor: str
    number: int
    title: str
    paragraphs: tuple[str, ...]
    attribution: str
    url: str | None


@dataclass(frozen=True)
class SectionView:
    """One printed section: heading (upper case, as the seeds print it) and items in order."""

    anchor: str
    title: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class BulletinView:
    """Everything a bulletin template or the DOCX writer prints."""

    title: str
    issue: str
    publisher: str
    period: str
    contents_anchor: str
    sections: tuple[SectionView, ...]


def attribution(item: DraftItem) -> str:
    """The seed bulletins' credit line: "(Nhandan.vn 01/4, Diệu Thương)"; parts missing are left out."""
    credit = " ".join(part for part in (item.source, _day_month(item.date)) if part)
    return "(" + ", ".join(part for part in (credit, item.author or "") if part) + ")" if credit else ""


def _day_month(day: dt.date | None) -> str:
    """A date as the attribution writes it: two-digit day, month without zero ("01/4")."""
    return f"{day.day:02d}/{day.month}" if day else ""


def period_text(start: dt.date, end: dt.date) -> str:
    """The masthead period: "Từ ngày 31/03/2025 đến ngày 06/04/2025" (one day: "Ngày …")."""
    if start == end:
        return f"Ngày {start:%d/%m/%Y}"
    return f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def bulletin_view(draft: Draft) -> BulletinView:
    """Select and order the included items of a draft into what gets printed."""
    position = {section.key: index for index, section in enumerate(draft.sections)}
    chosen = sorted(
        (item for item in draft.items if item.include),
        key=lambda item: (position[item.section], item.order),
    )
    sections: list[SectionView] = []
    for section in draft.sections:
        members = [item for item in chosen if item.section == section.key]
        if members:
            items = tuple(_item_view(item, n) for n, item in enumerate(members, start=1))
            anchor = f"muc_{len(sections) + 1}"
            sections.append(SectionView(anchor=anchor, title=section.title.upper(), items=items))
    return BulletinView(
        title=draft.title,
        issue=draft.issue,
        publisher=draft.publisher,
        period=period_text(draft.period_start, draft.period_end),
        contents_anchor=CONTENTS_ANCHOR,
        sections=tuple(sections),
    )


def _item_view(item: DraftItem, number: int) -> ItemView:
    """One included item as printed."""
    return ItemView(
        anchor=f"tin_{item.id}",
        number=number,
        title=item.title,
        paragraphs=tuple(paragraphs_of(item.summary)),
        attribution=attribution(item),
        url=safe_url(item.url),
    )


def render_bulletin_html(draft: Draft) -> str:
    """The bulletin as one HTML page fit for email clients (tables for layout, inline styles)."""
    return environment().get_template(TEMPLATE).render(b=bulletin_view(draft))


def write_bulletin_docx(draft: Draft, path: Path) -> None:
    """The bulletin as a Word document: A4, Times New Roman, real headings, a linked contents list."""
    view = bulletin_view(draft)
    document = new_docx()
    set_page(document)
    set_fonts(document)
    document.core_properties.title = xml_text(f"{view.title} {view.issue}")
    document.core_properties.language = "vi-VN"
    add_page_footer(document, f"{view.title} {view.issue}")
    _masthead(document, view)
    _contents(document, view)
    for section in view.sections:
        heading = document.add_heading(xml_text(section.title), level=1)
        add_bookmark(heading, section.anchor, _bookmark_number(view, section.anchor))
        for item in section.items:
            _docx_item(document, view, item)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def _masthead(document: DocxDocument, view: BulletinView) -> None:
    """Title, publisher, issue number and period, centered."""
    title = document.add_paragraph(xml_text(view.title.upper()), style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = [line for line in (view.publisher, f"{view.issue} – {view.period}") if line]
    for line in lines:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(xml_text(line)).bold = True


def _contents(document: DocxDocument, view: BulletinView) -> None:
    """The contents: a heading bookmarked for "Về đầu trang", then each section and linked item."""
    heading = document.add_heading(CONTENTS_TITLE, level=1)
    add_bookmark(heading, CONTENTS_ANCHOR, 0)
    for section in view.sections:
        line = document.add_paragraph()
        add_link(line, section.title, anchor=section.anchor)
        for item in section.items:
            entry = document.add_paragraph()
            entry.paragraph_format.left_indent = Pt(18)
            add_link(entry, f"{item.number}. {item.title}", anchor=item.anchor)


def _docx_item(document: DocxDocument, view: BulletinView, item: ItemView) -> None:
    """One item: bookmarked heading, summary paragraphs, attribution with the back link, original URL."""
    heading = document.add_heading(xml_text(f"{item.number}. {item.title}"), level=2)
    add_bookmark(heading, item.anchor, _bookmark_number(view, item.anchor))
    for text in item.paragraphs:
        paragraph = document.add_paragraph(xml_text(text))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    credit = document.add_paragraph()
    credit.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if item.attribution:
        credit.add_run(xml_text(item.attribution) + " ").italic = True
    add_link(credit, BACK_TO_TOP, anchor=view.contents_anchor)
    if item.url:
        original = document.add_paragraph()
        original.add_run(ORIGINAL_LABEL)
        add_link(original, item.url, url=item.url, size=Pt(11))


def _bookmark_number(view: BulletinView, anchor: str) -> int:
    """A bookmark id unique in the document (0 is the contents), stable for a given view."""
    anchors = [a for s in view.sections for a in (s.anchor, *(i.anchor for i in s.items))]
    return anchors.index(anchor) + 1


def render_bulletin(
    draft: Draft, out_dir: Path, formats: Sequence[str] = FORMATS, stem: str | None = None
) -> list[Path]:
    """Write the bulletin in each requested format ("html", "docx") into `out_dir`; return the paths."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BulletinInputError(
            f"Định dạng không hỗ trợ: {', '.join(unknown) or '(trống)'} (chỉ có: {', '.join(FORMATS)})."
        )
    name = stem or f"ban-tin-{draft.period_start.isoformat()}"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in dict.fromkeys(formats):
        path = out_dir / f"{name}.{fmt}"
        if fmt == "html":
            path.write_text(render_bulletin_html(draft), encoding="utf-8")
        else:
            write_bulletin_docx(draft, path)
        written.append(path)
    logger.info("bulletin %s rendered: %s", draft.issue, ", ".join(str(p) for p in written))
    return written


def render_bulletin_file(
    session: Session, draft_path: Path, out_dir: Path, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Read an edited draft, check its ids against the database, and render it (the CLI's entry)."""
    draft = load_draft(draft_path)
    check_draft_ids(session, draft, draft_path)
    return render_bulletin(draft, out_dir, formats, stem=draft_path.stem)
