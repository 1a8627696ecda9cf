"""Tasks from tables given as cells (pdfplumber, HTML <table>, pipe-written text tables).

A column's role comes from its header when the header names it ("Cơ quan chủ trì", "Thời hạn"),
and from what its cells hold when the header says nothing the rules know (unit names, deadline
phrases, status words); never from its position alone. Rows that hold only their last columns
(the others merged from the row above) take the missing cells from the row above; a row that
holds only a numbering mark and a title is a section heading over the rows under it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crawler.extract.deadlines import best_deadline, find_deadlines
from crawler.extract.normalize import MARKUP, fold
from crawler.extract.refs import document_numbers, find_status
from crawler.models import Deadline, Status, Table

# (role, header pattern on folded text), tried in order: the first that matches names the column.
_COLUMNS = (
    ("number", re.compile(r"^(?:s?tt|số(?: thứ tự)?|thứ tự)$")),
    ("group", re.compile(r"thuộc nhóm|nhóm nhiệm vụ|^lĩnh vực")),
    ("support", re.compile(r"phối hợp")),
    ("head", re.compile(r"^người đứng đầu|^lãnh đạo (?:phụ trách|chỉ đạo)")),
    ("lead", re.compile(r"chủ trì|cơ quan thực hiện|đơn vị thực hiện|^cơ quan|"
                          r"^đơn vị|trách nhiệm|phân công|^giao")),
    ("deadline", re.compile(r"thời hạn|thời gian|tiến độ|hạn hoàn thành|"
                          r"thời điểm|^năm thực hiện|^hạn$|^mốc")),
    ("status", re.compile(r"tình trạng|trạng thái|kết quả thực hiện|tình hình thực hiện|mức độ hoàn thành")),
    ("result", re.compile(r"kết quả|sản phẩm|chỉ tiêu|hình thức văn bản")),
    ("refs", re.compile(r"văn bản|căn cứ")),
    ("other", re.compile(r"nguồn lực|kinh phí|nguồn vốn|ghi chú|dự toán")),
    ("action", re.compile(r"nhiệm vụ|nội dung|^tên|giải pháp|công việc|"
                          r"^việc|hoạt động|đề án|dự án|chương trình")),
)
_STRONG_ACTION = re.compile(r"nhiệm vụ|công việc|giải pháp")
_SECTION_MARK = re.compile(r"^(?:[IVXLC]{1,5}|[A-ZĐ]|\d{1,2}(?:\.\d{1,2})*)\s*[.)]?$")
_DASH = re.compile(r"^\s*[-–+•]\s*")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class TableRow:
    """One table row read by its columns: the cells that matter for a task, and its line."""

    line: int
    action: str
    lead: str
    support: str
    deadline: Deadline
    status: Status | None
    refs: tuple[str, ...]
    result: str = ""
    section: str = ""  # the title of the section row above, which may name the lead


@dataclass(frozen=True)
class Layout:
    """What a table's header row says: the role of each column."""

    roles: tuple[str, ...]

    @property
    def width(self) -> int:
        """How many columns the header names."""
        return len(self.roles)


def cell_text(cell: str) -> str:
    """A cell's display text: markup removed, list dash dropped, lines joined."""
    return " ".join(_DASH.sub("", MARKUP.sub("", cell)).split())


def _header_role(cell: str) -> str:
    """The role a header cell names, or "" when it names none the rules know."""
    low = " ".join(fold(cell_text(cell)).split())
    return next((role for role, regex in _COLUMNS if regex.search(low)), "")


def column_roles(header: Sequence[str], body: Sequence[Sequence[str]] = ()) -> tuple[str, ...]:
    """Name each column by its header, keep one action column (the one naming tasks), and name
    columns the header leaves open by their cells' content."""
    roles = [_header_role(cell) for cell in header]
    actions = [i for i, role in enumerate(roles) if role == "action"]
    if len(actions) > 1:
        strong = [i for i in actions if _STRONG_ACTION.search(fold(header[i]))]
        keep = (strong or actions)[0]
        roles = [("detail" if role == "action" and i != keep else role) for i, role in enumerate(roles)]
    for i, role in enumerate(roles):
        values = [row[i] for row in body if i < len(row) and row[i].strip()]
        if role in ("", "result", "deadline") and _mostly(values, lambda v: find_status(v) is not None):
            roles[i] = "status"
        elif role == "" and _mostly(values, lambda v: bool(find_deadlines(v, 2000, cells=True))):
            roles[i] = "deadline"
        elif role == "" and _mostly(values, _names_a_body):
            roles[i] = "lead" if "lead" not in roles else ("support" if "support" not in roles else "")
    return tuple(roles)


_BODY_HEAD = re.compile(
    r"^(?:bộ|sở|ủy ban|ubnd|ban|văn phòng|công an|thanh tra|các|cục|vụ|trung tâm|đài|báo|hội|liên đoàn|"
    r"tỉnh đoàn|tổng công ty|tập đoàn|ngân hàng|kho bạc|bảo hiểm|viện|trường|bệnh viện)(?!\w)"
)


def _names_a_body(cell: str) -> bool:
    """Tell whether a cell opens with a body's head noun ("Sở Tài chính", "UBND cấp xã")."""
    return bool(_BODY_HEAD.match(fold(cell_text(cell))))


def _mostly(values: Sequence[str], test: Callable[[str], bool]) -> bool:
    """Tell whether most of a column's non-empty cells pass a test (and there are some)."""
    short = [v for v in values if len(v.split()) <= 12]
    return len(short) >= 2 and sum(1 for v in short if test(v)) * 2 > len(short)


def is_header(row: Sequence[str]) -> bool:
    """Tell whether a row is a header: it names an action column and at least one other role."""
    if not all(len(cell_text(cell).split()) <= 10 for cell in row):
        return False  # a header's cells are short; a long row is read no further
    roles = [_header_role(cell) for cell in row]
    return "action" in roles and sum(1 for r in roles if r not in ("", "action")) >= 1


def _is_section(cells: Sequence[str], width: int) -> bool:
    """Tell whether a short row is a section heading ("I | NHÓM GIẢI PHÁP VỀ CƠ CHẾ")."""
    if len(cells) > 2 or len(cells) >= width - 1 or not cells:
        return False
    mark = cell_text(cells[0])
    return len(cells) == 1 or bool(_SECTION_MARK.match(mark))


def table_rows(table: Table, year: int | None) -> list[TableRow]:
    """Read the task rows of a table whose first row is a header naming its columns."""
    if len(table.rows) < 2 or not is_header(table.rows[0]):
        return []
    roles = column_roles(table.rows[0], table.rows[1:])
    if "action" not in roles:
        return []
    out: list[TableRow] = []
    above: dict[str, str] = {}
    section = ""
    for index, row in enumerate(table.rows[1:], start=1):
        if row == table.rows[0] or is_header(row):
            continue  # a header repeated after a page break
        if _is_section(row, len(roles)):
            section = cell_text(row[-1])
            above = {}
            continue
        cells = _cells_by_role(roles, row, above)
        above = cells
        action = cells.get("action", "")
        if len(_WORD.findall(action)) < 2:
            continue
        out.append(_row(table, index, roles, row, cells, section, year))
    return out


_MERGED = ("lead", "support", "head", "deadline", "refs", "group")  # cells a merged cell spans


def _cells_by_role(roles: Sequence[str], row: Sequence[str], above: dict[str, str]) -> dict[str, str]:
    """Map a row's cells to roles; a short row holds the last columns, the rest come from above,
    and an unnumbered sub-row's empty unit, deadline and reference cells are merged ones above."""
    offset = max(len(roles) - len(row), 0)
    cells = {role: value for role, value in above.items() if role != "action"} if offset else {}
    for i, value in enumerate(row):
        role = roles[i + offset] if i + offset < len(roles) else ""
        if role:
            cells[role] = cell_text(value) if role == "action" else " ".join(value.split())
    if not offset and "number" in roles and not cells.get("number"):
        for role in _MERGED:
            if role in roles and not cells.get(role) and above.get(role):
                cells[role] = above[role]
    return cells


def _row(
    table: Table,
    index: int,
    roles: Sequence[str],
    row: Sequence[str],
    cells: dict[str, str],
    section: str,
    year: int | None,
) -> TableRow:
    """Build one task row from its cells."""
    found = best_deadline(find_deadlines(cells.get("deadline", ""), year, cells=True))
    return TableRow(
        line=_line(table, index, roles, row),
        action=cells["action"],
        lead=cells.get("lead", ""),
        support=cells.get("support", ""),
        deadline=found.deadline if found else Deadline.none(),
        status=find_status(cells.get("status", "")),
        refs=tuple(document_numbers(cells.get("refs", ""))),
        result=cell_text(cells.get("result", "")),
        section=section,
    )


def _line(table: Table, index: int, roles: Sequence[str], row: Sequence[str]) -> int:
    """The 1-based file line where a row's task text starts (its action cell), when known."""
    if index < len(table.cell_lines):
        offset = max(len(roles) - len(row), 0)
        column = roles.index("action") - offset
        lines = table.cell_lines[index]
        if 0 <= column < len(lines):
            return lines[column]
        return lines[0] if lines else table.line + index
    return table.line + index
