"""Text extraction from the files a crawl fetches: HTML articles, PDF and DOCX attachments."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from crawler.documents import (
    ArticleProfile,
    DocumentMeta,
    decode_html,
    document_from_bytes,
    document_from_file,
    document_from_html,
    with_metadata,
)
from crawler.errors import UnusableInputError
from crawler.models import DocumentKind
from crawler.profiles import load_profile
from crawler.site.server import SITE_DIR

PDF = SITE_DIR / "10447-UBND-VX.pdf"
ARTICLE = SITE_DIR / "article-10225040100300001.htm"


def test_article_with_profile_drops_figures_related_box_and_comments() -> None:
    """Title, lead without the site prefix, author, publish time from the meta tag, clean body, tables."""
    profile = ArticleProfile.from_options(load_profile("baochinhphu").options["article"])
    doc = document_from_html(ARTICLE.read_bytes(), ARTICLE.name, "http://x/a.htm", profile)
    assert doc.kind is DocumentKind.ARTICLE
    assert doc.title == ("Thủ tướng Chính phủ đôn đốc đẩy nhanh tiến độ phân bổ, giải ngân vốn đầu tư công "
                         "năm 2025")
    assert doc.summary is not None and doc.summary.startswith("Phó Thủ tướng")
    assert "Chinhphu.vn" not in doc.summary
    assert doc.author == "Tổ biên tập"
    assert doc.section == "Tin cải cách hành chính Trung ương"  # the outlet's breadcrumb
    assert doc.published == dt.datetime(2025, 4, 1, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    for gone in ("Ảnh minh họa", "Created:", "Xem thêm", "Khi khu vực công áp dụng KPI", "01/04/2025 07:30"):
        assert gone not in doc.text
    assert doc.tables[0].rows[0] == ("Nhiệm vụ", "Cơ quan thực hiện", "Thời hạn")
    assert doc.text.splitlines()[doc.tables[0].line - 1].startswith("Nhiệm vụ | Cơ quan thực hiện")


def test_publish_time_falls_back_to_json_ld_then_never_to_now() -> None:
    """Without the meta tag JSON-LD gives the time; without both the time stays unknown."""
    ld = ('<script type="application/ld+json">'
          '{"@type":"NewsArticle","datePublished":"2025-04-02T09:00:00+07:00"}')
    page = f"<html><head>{ld}</script></head><body><article><p>Nội dung bài viết.</p></article></body></html>"
    doc = document_from_html(page, "a.htm")
    assert doc.published == dt.datetime(2025, 4, 2, 2, 0, tzinfo=dt.UTC)
    assert document_from_html("<html><body><p>Không có ngày.</p></body></html>", "b.htm").published is None


def test_wrong_declared_encoding_is_overridden_by_valid_utf8() -> None:
    """A page declaring windows-1252 but sending UTF-8 is read as UTF-8."""
    body = '<html><head><meta charset="windows-1252"></head><body><p>Cải cách hành chính</p></body></html>'
    assert "Cải cách hành chính" in decode_html(body.encode("utf-8"), "text/html; charset=windows-1252")


def test_pdf_text_keeps_paragraphs_and_metadata_overlay() -> None:
    """The bundled PDF has a text layer; detail-page metadata overrides the file's own."""
    doc = document_from_file(PDF)
    assert not doc.needs_ocr and "Số: 10447/UBND-VX" in doc.text and "Số 46-TB/TGV" in doc.text
    meta = DocumentMeta(kind=DocumentKind.DIRECTIVE, number="10447/UBND-VX", issued=dt.date(2025, 10, 3),
                        issuer="Ủy ban nhân dân tỉnh Nghệ An", summary="V/v thực hiện Thông báo")
    merged = with_metadata(doc, meta)
    assert (merged.number, merged.issued, merged.title) == ("10447/UBND-VX", dt.date(2025, 10, 3),
                                                            "V/v thực hiện Thông báo")


def test_pdf_text_still_yields_the_science_ministry_task() -> None:
    """Task extraction on the PDF text finds Bộ KH&CN's Khung Kiến trúc task due 05/10/2025."""
    extract = pytest.importorskip("crawler.extract")
    tasks = extract.extract_tasks(document_from_file(PDF), extract.load_gazetteer())
    found = [t for t in tasks if "Khung Kiến trúc" in t.action and t.deadline.due == dt.date(2025, 10, 5)]
    assert found and "Bộ Khoa học và Công nghệ" in found[0].lead


def test_truncated_pdf_is_unusable_with_a_vietnamese_message(tmp_path: Path) -> None:
    """A corrupt PDF raises UnusableInputError with one clear line."""
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(PDF.read_bytes()[:1500])
    with pytest.raises(UnusableInputError, match="PDF bị hỏng") as info:
        document_from_file(broken)
    assert "\n" not in str(info.value)


def test_pdf_without_text_layer_needs_ocr() -> None:
    """A scanned PDF (drawings only) is returned with needs_ocr=True, never silently empty."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 150, 200, style="F")
    doc = document_from_bytes(bytes(pdf.output()), "scan.pdf")
    assert doc.needs_ocr


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    """A Word file gives its paragraphs and its tables, in order."""
    word = docx.Document()
    word.add_paragraph("KẾ HOẠCH cải cách hành chính năm 2025")
    table = word.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Nhiệm vụ", "Chủ trì", "Thời hạn"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("Số hóa hồ sơ", "Sở Nội vụ", "31/12/2025"), strict=True):
        cell.text = text
    path = tmp_path / "ke-hoach.docx"
    buffer = io.BytesIO()
    word.save(buffer)
    path.write_bytes(buffer.getvalue())
    doc = document_from_file(path)
    assert doc.text.startswith("KẾ HOẠCH cải cách hành chính năm 2025")
    assert doc.tables[0].rows[1] == ("Số hóa hồ sơ", "Sở Nội vụ", "31/12/2025")
    assert "Số hóa hồ sơ | Sở Nội vụ | 31/12/2025" in doc.text


def test_unreadable_files_are_unusable(tmp_path: Path) -> None:
    """Empty files and broken Word files give UnusableInputError, not a traceback."""
    empty = tmp_path / "rong.pdf"
    empty.write_bytes(b"")
    with pytest.raises(UnusableInputError):
        document_from_file(empty)
    with pytest.raises(UnusableInputError, match="Word"):
        document_from_bytes(b"PK\x03\x04 not really a zip", "x.docx")


def test_text_files_go_to_the_plain_text_reader(tmp_path: Path) -> None:
    """A .txt file is read by the task-extraction engineer's plain-text loader."""
    path = tmp_path / "van-ban.txt"
    path.write_text("Số: 12/UBND-VX\nNội dung văn bản.\n", encoding="utf-8")
    assert "Nội dung văn bản." in document_from_file(path).text


def test_legacy_doc_is_converted_when_libreoffice_is_installed(tmp_path: Path) -> None:
    """A .doc file is read through LibreOffice (skipped where it is not installed)."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice không được cài trên máy này")
    word = docx.Document()
    word.add_paragraph("CÔNG ĐIỆN về cải cách thủ tục hành chính")
    source = tmp_path / "cong-dien.docx"
    word.save(str(source))
    command = [office, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
               "--convert-to", "doc",
               "--outdir", str(tmp_path), str(source)]
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    doc = document_from_file(tmp_path / "cong-dien.doc")
    assert "CÔNG ĐIỆN về cải cách thủ tục hành chính" in doc.text
