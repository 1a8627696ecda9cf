"""Tables as cells stored with their document, so the crawl path extracts what `dondoc extract` does.

A document's tables (`Table`: rows of cell texts, the file line of the table and of each cell) are
kept as plain JSON beside its text. The stored form is bounded: a hostile page cannot make one
document row grow without limit; tables past the bounds are left out (the text keeps their rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crawler.models import Table

MAX_TABLES = 200
MAX_CELLS = 20_000
MAX_CHARS = 2_000_000


def encode_tables(tables: Sequence[Table]) -> list[dict[str, Any]] | None:
    """The tables as JSON-ready dictionaries, within the bounds; None when there are none."""
    out: list[dict[str, Any]] = []
    cells = chars = 0
    for table in tables[:MAX_TABLES]:
        size = sum(len(row) for row in table.rows)
        length = sum(len(cell) for row in table.rows for cell in row)
        if cells + size > MAX_CELLS or chars + length > MAX_CHARS:
            break
        cells, chars = cells + size, chars + length
        out.append(
            {
                "rows": [list(row) for row in table.rows],
                "line": table.line,
                "cell_lines": [list(lines) for lines in table.cell_lines],
            }
        )
    return out or None


def decode_tables(stored: list[dict[str, Any]] | None) -> tuple[Table, ...]:
    """The tables read back from their stored form (nothing when the row has none)."""
    return tuple(
        Table(
            rows=tuple(tuple(str(cell) for cell in row) for row in item.get("rows", [])),
            line=int(item.get("line", 1)),
            cell_lines=tuple(tuple(int(n) for n in lines) for lines in item.get("cell_lines", [])),
        )
        for item in stored or []
    )
