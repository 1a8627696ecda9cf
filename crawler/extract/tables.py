"""Tasks from tables given as cells (pdfplumber, HTML <table>): columns are named by the header row."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.extract.deadlines import best_deadline, find_deadlines
from crawler.extract.normalize import fold
from crawler.extract.refs import document_numbers, find_status
from crawler.models import Deadline, Status, Table

_COLUMNS = (
    ("support", re.compile(r"phối hợp")),
    ("lead", re.compile(r"chủ trì|thực hiện|cơ quan|đơn vị")),
    ("deadline", re.compile(r"thời hạn|thời gian|tiến độ|hạn hoàn thành")),
    ("result", re.compile(r"kết quả (?:yêu cầu|dự kiến)|sản phẩm")),
    ("status", re.compile(r"kết quả|tình trạng|trạng thái")),
    ("refs", re.compile(r"văn bản|căn cứ")),
    ("action", re.compile(r"tên|nội dung|nhiệm vụ")),
    ("number", re.compile(r"^(?:s?tt|số)$")),
)


@dataclass(frozen=True)
class TableRow:
    """One table row read by its header: the cells that matter for a task, and its line."""

    line: int
    action: str
    lead: str
    support: str
    deadline: Deadline
    status: Status | None
    refs: tuple[str, ...]
    result: str = ""


def _column_roles(header: tuple[str, ...]) -> list[str]:
    """Name each column of a header row by what it holds."""
    roles = []
    for cell in header:
        low = " ".join(fold(cell).split())
        roles.append(next((role for role, regex in _COLUMNS if regex.search(low)), ""))
    return roles


def table_rows(table: Table, year: int | None) -> list[TableRow]:
    """Read the task rows of a table whose first row is a header naming its columns."""
    if len(table.rows) < 2:
        return []
    roles = _column_roles(table.rows[0])
    if "action" not in roles:
        return []
    out = []
    for index, row in enumerate(table.rows[1:], start=1):
        cells = {role: " ".join(cell.split()) for role, cell in zip(roles, row, strict=False) if role}
        action = cells.get("action", "")
        if len(action.split()) < 2:
            continue
        found = best_deadline(find_deadlines(cells.get("deadline", ""), year, cells=True))
        out.append(
            TableRow(
                line=table.line + index,
                action=action,
                lead=cells.get("lead", ""),
                support=cells.get("support", ""),
                deadline=found.deadline if found else Deadline.none(),
                status=find_status(cells.get("status", "")),
                refs=tuple(document_numbers(cells.get("refs", ""))),
                result=cells.get("result", ""),
            )
        )
    return out
