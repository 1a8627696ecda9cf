"""Báo cáo: the overdue and due reports for a day, a unit or a document, as DOCX, XLSX and HTML."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

import pytest
from docx import Document as read_docx
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from tests.webapp.browser import browser_page, live_app
from tests.webapp.test_web_access import log_in
from tests.webapp.webdata import HEALTH, PASSWORD, Seeded

OVERDUE_TASK, SOON_TASK, FINANCE_TASK = ("Báo cáo kết quả chuyển đổi số", "Rà soát thủ tục hành chính",
                                         "Công khai ngân sách quý III")


def cells(body: bytes) -> str:
    """Every cell of every sheet of a workbook, as one text."""
    book = load_workbook(io.BytesIO(body))
    return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell is not None)


def docx_text(body: bytes) -> str:
    """The paragraphs and table cells of a Word document."""
    document = read_docx(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_overdue_report_on_a_day_in_three_formats(client: TestClient, seeded: Seeded) -> None:
    log_in(client, "bientap")
    page = client.get("/bao-cao", params={"loai": "qua-han", "ngay": "2025-09-30"})
    assert page.status_code == 200
    assert "đến hết ngày 30/09/2025" in page.text and "<strong>2</strong>" in page.text
    query = {"loai": "qua-han", "ngay": "2025-09-30"}
    xlsx = client.get("/bao-cao/tai.xlsx", params=query)
    assert xlsx.headers["content-disposition"] == 'attachment; filename="nhiem-vu-qua-han-2025-09-30.xlsx"'
    assert OVERDUE_TASK in cells(xlsx.content) and FINANCE_TASK in cells(xlsx.content)
    assert SOON_TASK not in cells(xlsx.content)
    word = docx_text(client.get("/bao-cao/tai.docx", params=query).content)
    assert OVERDUE_TASK in word and SOON_TASK not in word
    html = client.get("/bao-cao/tai.html", params={**query, "xem": "1"})
    assert html.headers["content-disposition"].startswith("inline") and FINANCE_TASK in html.text


def test_due_report_for_one_unit(client: TestClient, seeded: Seeded) -> None:
    log_in(client, "vanhanh")
    query = {"loai": "den-han", "tu": "2025-10-01", "den": "2025-10-08", "don-vi": HEALTH}
    text = cells(client.get("/bao-cao/tai.xlsx", params=query).content)
    assert SOON_TASK in text and OVERDUE_TASK not in text and FINANCE_TASK not in text


def test_wrong_asks_say_what_is_wrong(client: TestClient, seeded: Seeded) -> None:
    log_in(client, "bientap")
    unknown = client.get("/bao-cao", params={"loai": "qua-han", "don-vi": "Bộ Không Có"})
    assert unknown.status_code == 400 and "Không có nhiệm vụ nào của đơn vị" in unknown.text
    backwards = client.get("/bao-cao/tai.docx", params={"loai": "den-han", "tu": "2025-10-08",
                                                         "den": "2025-10-01"})
    assert backwards.status_code == 400 and "Khoảng thời gian không hợp lệ" in backwards.text
    assert client.get("/bao-cao", params={"ngay": "30/9"}).status_code == 400


def test_unit_links_do_not_open_reports(client: TestClient, seeded: Seeded) -> None:
    assert client.get("/bao-cao").status_code == 303
    client.get(f"/lien-ket/{seeded.health_link}")
    assert client.get("/bao-cao").status_code == 403
    assert client.get("/bao-cao/tai.xlsx").status_code == 403


@pytest.mark.slow
def test_report_form_downloads_a_unit_report_in_the_browser(web_engine: Engine, seeded: Seeded) -> None:
    with live_app(web_engine) as base, browser_page(390, 844) as page:
        page.goto(f"{base}/dang-nhap?tiep=/bao-cao")
        page.fill("input[name=ten]", "bientap")
        page.fill("input[name=mat_khau]", PASSWORD)
        page.click("button:has-text('Đăng nhập')")
        page.check("input[value=den-han]")
        page.fill("input[name=tu]", "2025-10-01")
        page.fill("input[name=den]", "2025-10-31")
        page.fill("input[name=don-vi]", HEALTH)
        page.click("button:has-text('Lập báo cáo')")
        assert f"don-vi={quote(HEALTH)}" in page.url.replace("+", "%20")
        assert "từ ngày 01/10/2025 đến ngày 31/10/2025" in page.locator("section.card h2").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_download() as download:
            page.click("a:has-text('Tải DOCX')")
        assert download.value.suggested_filename == "nhiem-vu-den-han-2025-10-01-2025-10-31.docx"
        text = docx_text(Path(download.value.path()).read_bytes())
        assert SOON_TASK in text and FINANCE_TASK not in text
