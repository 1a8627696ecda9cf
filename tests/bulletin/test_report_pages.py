"""The report as printed pages: tools.render_outputs turns its DOCX and XLSX into PDF (LibreOffice) and
PNG pages (pdftoppm); every page is landscape A4, carries the footer, and no table column runs off
the page or onto a page of its own."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from sqlalchemy.orm import Session

from notifier.report_files import write_report
from notifier.reports import attachment_line, overdue_report

from .task_rows import ALL_TASKS, add_tasks

ROOT = Path(__file__).resolve().parents[2]


def tools_present() -> None:
    """Skip (fail in CI) without LibreOffice or pdftoppm."""
    missing = [name for name in ("soffice", "pdftoppm") if shutil.which(name) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing in CI: {', '.join(missing)}; run .ci/install-system.sh")
        pytest.skip(f"not installed: {', '.join(missing)}")


def page_texts(pdf_path: Path) -> list[tuple[float, float, float, str]]:
    """Per page: width, height, the rightmost edge of any character, and the text with spaces folded."""
    with pdfplumber.open(pdf_path) as pdf:
        return [(page.width, page.height, max((c["x1"] for c in page.chars), default=0.0),
                 " ".join((page.extract_text() or "").split())) for page in pdf.pages]


@pytest.mark.slow
def test_report_pages_are_whole_landscape_a4_with_footer(session: Session, tmp_path: Path) -> None:
    add_tasks(session, ALL_TASKS)
    report = overdue_report(session, dt.date(2025, 7, 31),
                            attachment=attachment_line("164/BC-BKHCN", dt.date(2025, 8, 5)))
    tools_present()
    docx_path, xlsx_path = write_report(report, tmp_path, ["docx", "xlsx"], "qua-han")
    out = tmp_path / "renders"
    run = subprocess.run([sys.executable, "-m", "tools.render_outputs", str(docx_path), str(xlsx_path),
                          "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr

    docx_pages = page_texts(out / "qua-han.docx.pdf")
    assert 2 <= len(docx_pages) <= 6
    for number, (width, height, right, text) in enumerate(docx_pages, start=1):
        assert abs(width - 842) < 3 and abs(height - 595) < 3  # landscape A4 in points
        assert right <= width - 40  # nothing runs into the right margin: no column is cut
        assert f"Trang {number}/{len(docx_pages)}" in text  # the running footer
    assert "(Kèm theo Báo cáo số 164/BC-BKHCN ngày 05 tháng 8 năm 2025)" in docx_pages[0][3]
    assert len(list(out.glob("qua-han.docx-*.png"))) == len(docx_pages)

    sheet_pages = page_texts(out / "qua-han.xlsx.pdf")
    assert 2 <= len(sheet_pages) <= 6  # the summary sheet, then the list
    for number, (width, height, right, text) in enumerate(sheet_pages, start=1):
        assert abs(width - 842) < 3 and abs(height - 595) < 3
        assert right <= width - 20
        assert f"Trang {number}/{len(sheet_pages)}" in text
    listing = [text for *_, text in sheet_pages if "Cơ quan thực hiện" in text]
    assert listing and all("Tiến độ" in text for text in listing)  # the last column on every list page
    assert "Bộ Giáo dục và Đào tạo" in listing[-1]
    assert len(list(out.glob("qua-han.xlsx-*.png"))) == len(sheet_pages)
