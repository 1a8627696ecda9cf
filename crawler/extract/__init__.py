"""Task and deadline extraction: a document's text in, the tasks it assigns or reports on out.

The cascade: normalize lines -> segment into blocks (items, rows, titles) -> walk the blocks with
heading context -> read each task's units, deadline, references and status -> attach provenance.
Pure functions; the only I/O is loading the packaged gazetteer once.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from crawler.extract.bodies import is_unit_title
from crawler.extract.letters import addressees, unnamed, without_title
from crawler.extract.normalize import clean_lines, fold, split_lines, trim_text
from crawler.extract.pipegrid import Grid, find_grids
from crawler.extract.plaintext import issue_date
from crawler.extract.rolelabels import marked_roles
from crawler.extract.rowgrid import find_row_grids
from crawler.extract.segment import Block, segment
from crawler.extract.tables import TableRow, is_header, table_rows
from crawler.extract.tasks import walk_blocks
from crawler.extract.units import Gazetteer, load_gazetteer
from crawler.extract.walkstate import RawTask, Walk
from crawler.models import DocumentText, ExtractedTask, Table

__all__ = ["Gazetteer", "extract_tasks", "load_gazetteer"]

_NAMED_YEAR = re.compile(r"(?:năm|/)\s*(20\d{2})(?!\d)")


def extract_tasks(doc: DocumentText, gazetteer: Gazetteer | None = None) -> list[ExtractedTask]:
    """Extract the tasks of a document, each with its place in the text."""
    gazetteer = gazetteer or load_gazetteer()
    originals = doc.text.split("\n")
    whole = split_lines(doc.text)
    lines = clean_lines(whole)
    lone_bar_grids = find_grids(whole)
    row_grids = () if doc.tables else find_row_grids(whole, lone_bar_grids)  # cells given: no rereading
    found = (*lone_bar_grids, *row_grids)
    grids = [g for g in found if is_header(g.as_table().rows[0])]
    lines = without_title(_without(lines, grids), doc.title)
    province = _province(doc, lines, gazetteer)
    home = province or gazetteer.home_province(doc.text[:200_000])
    walk = Walk(gazetteer, province, _year(doc, lines), doc.number, home)
    sent_to, letter_end, lines = addressees(lines, walk)
    walk.letter_end = letter_end if sent_to else -1
    raw = walk_blocks(list(segment(lines)), walk)
    raw = [
        replace(task, lead=sent_to) if unnamed(task.lead) and task.block.first < letter_end else task
        for task in raw
    ]
    tasks = [_with_provenance(task, lines, originals) for task in raw]
    tables = (*doc.tables, *(g.as_table() for g in grids))
    if tables:
        tasks = _merge_table_tasks(tasks, _table_tasks(tables, walk, originals))
    return tasks


def _row_units(row: TableRow, walk: Walk) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A table row's lead and support: its unit cells (one cell may mark both roles, "Sở X (chủ
    trì), Sở Y (phối hợp)"), else the unit its section row names."""
    roles = marked_roles(row.lead)
    lead_cell = roles.lead if roles else row.lead
    support_cell = "; ".join(c for c in (roles.support if roles else "", row.support) if c)
    lead = walk.cell_units(lead_cell) if lead_cell else ()
    lead = lead or (walk.units(row.section) if row.section and is_unit_title(row.section) else ())
    return lead, walk.cell_units(support_cell) if support_cell else ()


def _without(lines: list[str], grids: list[Grid]) -> list[str]:
    """Blank the lines of task tables read as cells, so prose reading does not read them again."""
    out = list(lines)
    for grid in grids:
        out[grid.first : grid.last] = [""] * (grid.last - grid.first)
    return out


def _table_tasks(tables: tuple[Table, ...], walk: Walk, originals: list[str]) -> list[ExtractedTask]:
    """Tasks from the document's tables given as cells, which are more reliable than flattened text."""
    out = []
    for table in tables:
        for row in table_rows(table, walk.year):
            lead, support = _row_units(row, walk)
            line = min(max(row.line, 1), max(len(originals), 1))
            anchor = _anchor(originals[line - 1], 0) if originals else ""
            out.append(
                ExtractedTask(
                    action=trim_text(row.action),
                    lead=lead,
                    support=support,
                    deadline=row.deadline,
                    status=row.status,
                    source_refs=row.refs or ((walk.number,) if walk.number else ()),
                    line=line,
                    anchor=anchor,
                    start=0,
                    end=len(anchor),
                    required_result=row.result,
                )
            )
    return out


def _merge_table_tasks(
    text_tasks: list[ExtractedTask], table_tasks: list[ExtractedTask]
) -> list[ExtractedTask]:
    """Prefer a table's cells over the same row found in flattened text (same opening words)."""
    keys = {_key(t.action) for t in table_tasks}
    kept = [t for t in text_tasks if _key(t.action) not in keys]
    return sorted(kept + table_tasks, key=lambda t: t.line)


def _key(action: str) -> str:
    """A matching key for a task's opening words."""
    return " ".join(re.findall(r"\w+", fold(action))[:8])


def _year(doc: DocumentText, lines: list[str]) -> int | None:
    """The year assumed for dates written without one: publication, issue date, first dated line,
    or else the year the text names most (a bulletin page with no date of its own)."""
    if doc.published:  # FORMAT.md: a date without a year takes the year of publication
        return doc.published.year
    if doc.issued:
        return doc.issued.year
    for line in lines[:400]:
        day = issue_date(line)
        if day:
            return day.year
    named = Counter(int(y) for line in lines[:400] for y in _NAMED_YEAR.findall(line))
    return max(named, key=lambda year: (named[year], year)) if named else None


def _province(doc: DocumentText, lines: list[str], gazetteer: Gazetteer) -> str | None:
    """The document's own province (from its issuer or its letterhead), which completes bare
    department names ("Sở Tài chính" in a Nghệ An letter)."""
    if doc.issuer:
        found = gazetteer.province_of(doc.issuer)
        if found:
            return found
    head = " ".join(lines[:12])
    if re.search(r"ủy ban nhân dân|ubnd|tỉnh ủy|thành ủy|sở\s", fold(head)):
        return gazetteer.province_of(head)
    return None


def _with_provenance(task: RawTask, lines: list[str], originals: list[str]) -> ExtractedTask:
    """Attach the line, character offsets and a verbatim anchor to a task."""
    block: Block = task.block
    text = block.text
    start = task.start + len(text[task.start :]) - len(text[task.start :].lstrip(" \n*"))
    line = block.first + text.count("\n", 0, start)
    line_start = text.rfind("\n", 0, start) + 1
    column = start - line_start + (block.offset if line == block.first else 0)
    original = originals[line] if line < len(originals) else lines[line]
    anchor = _anchor(original, column)
    return ExtractedTask(
        action=task.action,
        lead=task.lead,
        support=task.support,
        deadline=task.deadline,
        status=task.status,
        source_refs=task.refs,
        line=line + 1,
        anchor=anchor,
        start=column,
        end=column + len(anchor),
        note=_year_note(task),
        required_result=task.result,
    )


def _year_note(task: RawTask) -> str:
    """Say so when a deadline's year was taken from the document (FORMAT.md asks for it)."""
    deadline = task.deadline
    if deadline.due is None or not deadline.raw or re.search(r"\d{4}|\d/\d{2}\b", deadline.raw):
        return ""
    return f"Năm {deadline.due.year} lấy theo năm của văn bản."


def _anchor(line: str, column: int) -> str:
    """A verbatim 25-60 character piece of one line, starting near the task's first word."""
    body = line[column:] if len(line) - column >= 25 else line
    body = body.lstrip(" *#")
    if len(body) <= 60:
        return body.rstrip(" *")
    cut = body.rfind(" ", 25, 61)
    return body[: cut if cut > 0 else 60]
