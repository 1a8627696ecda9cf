"""Word files made for tests: a letter whose tasks sit in a real table."""

from __future__ import annotations

import io

import docx


def task_table_docx() -> bytes:
    """A Word letter whose tasks are table rows (the lead column before the task column)."""
    document = docx.Document()
    document.add_paragraph("Số: 55/KH-UBND")
    rows = [
        ("STT", "Cơ quan chủ trì", "Nội dung nhiệm vụ", "Thời hạn"),
        ("1", "Sở Tư pháp", "Rà soát thủ tục hành chính nội bộ của tỉnh", "Tháng 11/2025"),
        ("2", "Sở Khoa học và Công nghệ", "Số hóa hồ sơ giải quyết thủ tục hành chính", "Quý IV/2025"),
    ]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
