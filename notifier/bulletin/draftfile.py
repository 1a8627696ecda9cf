"""The bulletin draft as a TOML file an editor changes by hand, and strict reading of it back.

Layout: a `[bulletin]` table (title, issue, publisher, period_start, period_end), one `[[sections]]`
table per section in reading order (key, title), and one `[[items]]` table per article (id, section,
order, include, title, summary, source, date, author, url, and the informational `duplicates` and
`reason`, why the draft chose the item's section).
A summary is written as a multi-line string wrapped for editing; on reading, lines are joined back
and a blank line starts a new paragraph.

Every problem found on reading names the file and the line: a broken TOML file, an unknown or
missing key, a wrong type, an unknown section, a repeated item id.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from crawler.errors import BulletinInputError
from notifier.bulletin.model import Draft, DraftItem, DraftSection

T = TypeVar("T")
WRAP = 96
HEADER = """\
# Bản nháp bản tin cải cách hành chính do dondoc tạo; biên tập viên sửa trực tiếp tệp này.
# - Bỏ một tin: đặt include = false (hoặc xóa cả khối [[items]] của tin đó).
# - Sắp xếp lại: đổi order (số nhỏ đứng trước) hoặc section (mã một mục trong [[sections]]).
# - Sửa tiêu đề, tóm tắt, nguồn, tác giả tùy ý; để trống một dòng trong tóm tắt để sang đoạn mới.
# - reason cho biết vì sao tin được xếp vào mục của nó; đổi section nếu xếp chưa đúng.
# - duplicates chỉ để tham khảo: các bài đăng lại cùng nội dung đã được lược bỏ.
# Sau đó xuất bản tin: dondoc bulletin render <tệp này> --format html,docx
"""
BULLETIN_KEYS = {"title": str, "issue": str, "publisher": str, "period_start": dt.date, "period_end": dt.date}
SECTION_KEYS = {"key": str, "title": str}
ITEM_KEYS: dict[str, type] = {
    "id": int,
    "section": str,
    "order": int,
    "include": bool,
    "title": str,
    "summary": str,
    "source": str,
    "date": dt.date,
    "author": str,
    "url": str,
    "duplicates": list,
    "reason": str,
}
TYPE_NAMES = {
    str: "chuỗi",
    int: "số nguyên",
    bool: "true/false",
    dt.date: "ngày (YYYY-MM-DD)",
    list: "danh sách",
}
_TABLE = re.compile(r"^\s*\[\[\s*(\w+)\s*\]\]|^\s*\[\s*(\w+)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=")
_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


# --- writing ---------------------------------------------------------------------------------------


def toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    return '"' + _escape(value, keep_newlines=False) + '"'


def _escape(value: str, keep_newlines: bool) -> str:
    """Escape a string's body for a TOML basic (or, keeping newlines, multi-line basic) string."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def toml_multiline(text: str) -> str:
    """A summary as a TOML multi-line string: paragraphs wrapped at WRAP, separated by a blank line."""
    paragraphs = [
        textwrap.fill(p, WRAP, break_long_words=False, break_on_hyphens=False) for p in paragraphs_of(text)
    ]
    return '"""\n' + _escape("\n\n".join(paragraphs), keep_newlines=True) + '\n"""'


def paragraphs_of(text: str) -> list[str]:
    """Split text into paragraphs at blank lines, each with its whitespace collapsed."""
    return [" ".join(block.split()) for block in re.split(r"\n[ \t]*\n", text) if block.strip()]


def draft_toml(draft: Draft) -> str:
    """The whole draft as TOML text, with the editor's instructions on top."""
    lines = [
        HEADER,
        "[bulletin]",
        f"title = {toml_string(draft.title)}",
        f"issue = {toml_string(draft.issue)}",
        f"publisher = {toml_string(draft.publisher)}",
        f"period_start = {draft.period_start.isoformat()}",
        f"period_end = {draft.period_end.isoformat()}",
        "",
    ]
    for section in draft.sections:
        lines += [
            "[[sections]]",
            f"key = {toml_string(section.key)}",
            f"title = {toml_string(section.title)}",
            "",
        ]
    for item in draft.items:
        lines += _item_lines(item)
    return "\n".join(lines)


def _item_lines(item: DraftItem) -> list[str]:
    """The TOML lines of one `[[items]]` table, ending with a blank line."""
    lines = [
        "[[items]]",
        f"id = {item.id}",
        f"section = {toml_string(item.section)}",
        *([f"reason = {toml_string(item.reason)}"] if item.reason else []),
        f"order = {item.order}",
        f"include = {'true' if item.include else 'false'}",
        f"title = {toml_string(item.title)}",
        f"summary = {toml_multiline(item.summary)}",
        f"source = {toml_string(item.source)}",
    ]
    if item.date is not None:
        lines.append(f"date = {item.date.isoformat()}")
    lines += [f"author = {toml_string(item.author or '')}", f"url = {toml_string(item.url)}"]
    if item.duplicates:
        lines.append("duplicates = [" + ", ".join(toml_string(u) for u in item.duplicates) + "]")

    return [*lines, ""]


def write_draft(draft: Draft, path: Path) -> None:
    """Write the draft file (UTF-8), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(draft_toml(draft), encoding="utf-8")


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """Line numbers of tables and keys in the draft text, to name the line of a problem."""

    path: Path
    tables: Mapping[tuple[str, int], int]
    keys: Mapping[tuple[str, int, str], int]

    def table(self, name: str, index: int) -> int:
        """The line of the index-th `[name]`/`[[name]]` header (1 when unknown)."""
        return self.tables.get((name, index), 1)

    def key(self, name: str, index: int, key: str) -> int:
        """The line of `key = ...` inside the index-th `name` table, else the table's own line."""
        return self.keys.get((name, index, key), self.table(name, index))

    def error(self, line: int, problem: str) -> BulletinInputError:
        """An error naming the draft file and line."""
        return BulletinInputError(f"Bản nháp {self.path}, dòng {line}: {problem}")


def locate(path: Path, text: str) -> _Where:
    """Index the header and key lines of every table, counting repeated `[[name]]` tables."""
    tables: dict[tuple[str, int], int] = {}
    keys: dict[tuple[str, int, str], int] = {}
    counts: dict[str, int] = {}
    current: tuple[str, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(line)
        if header:
            name = header.group(1) or header.group(2)
            index = counts.get(name, 0)
            counts[name] = index + 1
            current = (name, index)
            tables[current] = number
            continue
        key = _KEY.match(line)
        if key and current is not None:
            keys.setdefault((*current, key.group(1)), number)
    return _Where(path=path, tables=tables, keys=keys)


def load_draft(path: Path) -> Draft:
    """Read and validate an edited draft; any problem is one error naming the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BulletinInputError(f"Không tìm thấy bản nháp: {path}") from None
    except UnicodeDecodeError:
        raise BulletinInputError(f"Bản nháp {path} không phải văn bản UTF-8.") from None
    where = locate(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _AT_LINE.search(str(error))
        line = int(found.group(1)) if found else 1
        raise where.error(line, f"tệp TOML hỏng, không đọc được ({error}).") from None
    return _draft(data, where)


def _draft(data: Mapping[str, object], where: _Where) -> Draft:
    """Validate the parsed TOML document and build the draft."""
    for name in data:
        if name not in ("bulletin", "sections", "items"):
            problem = f"bảng lạ [{name}] (chỉ có [bulletin], [[sections]], [[items]])."
            raise where.error(where.table(name, 0), problem)
    head = _table(data.get("bulletin"), where, "bulletin", 0, BULLETIN_KEYS)
    sections = tuple(_section(t, where, i) for i, t in enumerate(_tables(data, where, "sections")))
    _no_repeats([s.key for s in sections], where, "sections", "key", "mã mục")
    if not sections:
        raise where.error(1, "bản nháp không có mục nào ([[sections]]).")
    keys = {s.key for s in sections}
    items = tuple(_item(t, where, i, keys) for i, t in enumerate(_tables(data, where, "items")))
    _no_repeats([item.id for item in items], where, "items", "id", "mã tin")
    return Draft(
        title=head.need("title", str),
        issue=head.need("issue", str),
        publisher=str(head.values.get("publisher", "")),
        period_start=_day(head.need("period_start", dt.date)),
        period_end=_day(head.need("period_end", dt.date)),
        sections=sections,
        items=items,
    )


def _tables(data: Mapping[str, object], where: _Where, name: str) -> list[object]:
    """The array of tables `[[name]]` (empty when absent)."""
    value = data.get(name, [])
    if not isinstance(value, list):
        raise where.error(where.key(name, 0, name), f"{name} phải là các bảng [[{name}]].")
    return value


@dataclass(frozen=True)
class _Checked:
    """A table of the draft whose keys are known and well typed, with where it is in the file."""

    values: Mapping[str, object]
    where: _Where
    name: str
    index: int

    def need(self, key: str, kind: type[T]) -> T:
        """A key that must be present (its type was checked on construction)."""
        if key not in self.values:
            line = self.where.table(self.name, self.index)
            raise self.where.error(line, f"thiếu khóa '{key}' trong [{self.name}].")
        value = self.values[key]
        assert isinstance(value, kind)
        return value

    def error(self, key: str, problem: str) -> BulletinInputError:
        """An error naming the line of `key` in this table."""
        return self.where.error(self.where.key(self.name, self.index, key), problem)


def _table(value: object, where: _Where, name: str, index: int, allowed: Mapping[str, type]) -> _Checked:
    """Check that a table's keys are all known and of the right type."""
    if not isinstance(value, dict):
        raise where.error(where.table(name, index), f"thiếu hoặc sai bảng [{name}].")
    checked = _Checked(values=value, where=where, name=name, index=index)
    for key, item in value.items():
        if key not in allowed:
            known = ", ".join(allowed)
            raise checked.error(key, f"khóa lạ '{key}' trong [{name}] (các khóa hợp lệ: {known}).")
        _check_type(item, allowed[key], checked, key)
    return checked


def _check_type(value: object, expected: type, table: _Checked, key: str) -> None:
    """Refuse a value of the wrong TOML type (a boolean is not a number here)."""
    wrong = not isinstance(value, expected) or (expected is int and isinstance(value, bool))
    if expected is list and isinstance(value, list):
        wrong = not all(isinstance(entry, str) for entry in value)
    if wrong:
        raise table.error(key, f"'{key}' phải là {TYPE_NAMES[expected]}.")


def _day(value: dt.date) -> dt.date:
    """A TOML date or date-time as a date."""
    return value.date() if isinstance(value, dt.datetime) else value


def _section(value: object, where: _Where, index: int) -> DraftSection:
    """One validated `[[sections]]` table."""
    table = _table(value, where, "sections", index, SECTION_KEYS)
    return DraftSection(key=table.need("key", str), title=table.need("title", str))


def _item(value: object, where: _Where, index: int, section_keys: set[str]) -> DraftItem:
    """One validated `[[items]]` table, whose section must be one of the draft's sections."""
    table = _table(value, where, "items", index, ITEM_KEYS)
    section = table.need("section", str)
    if section not in section_keys:
        known = ", ".join(sorted(section_keys))
        raise table.error("section", f"mục '{section}' không có trong [[sections]] (các mục: {known}).")
    title = table.need("title", str).strip()
    if not title:
        raise table.error("title", "tiêu đề tin không được để trống.")
    date = table.values.get("date")
    author = str(table.values.get("author", "")).strip()
    duplicates = table.values.get("duplicates", [])
    return DraftItem(
        id=table.need("id", int),
        section=section,
        order=table.need("order", int),
        include=table.need("include", bool),
        title=" ".join(title.split()),
        summary="\n\n".join(paragraphs_of(table.need("summary", str))),
        source=table.need("source", str).strip(),
        date=_day(date) if isinstance(date, dt.date) else None,
        author=author or None,
        url=table.need("url", str).strip(),
        duplicates=tuple(str(u) for u in duplicates) if isinstance(duplicates, list) else (),
        reason=str(table.values.get("reason", "")),
        line=where.key("items", index, "id"),
    )


def _no_repeats(values: list[T], where: _Where, name: str, key: str, label: str) -> None:
    """Refuse a value used by two tables of the same kind, naming the second one's line."""
    seen: set[T] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise where.error(where.key(name, index, key), f"{label} {value} bị lặp.")
        seen.add(value)
