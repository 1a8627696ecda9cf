"""Scanned directives read by OCR (crawler/documents/ocr.py): a tilted 300-dpi scan of seed 004 is read
back nearly letter for letter, `dondoc extract` and a crawl of the local site find its tasks, and
scans beyond the bounds are cut or refused with a Vietnamese reason."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

import scheduler
from crawler.config import Config, GeneralConfig
from crawler.documents import document_from_bytes
from crawler.documents.ocr import DEFAULT_OCR, OcrLimits, ocr_missing_reason, with_ocr
from crawler.errors import UnusableInputError
from crawler.site import demo_sources, serve_site
from crawler.storage.schema import Document
from notifier.planning import preview_unit_digest
from service.context import open_session
from service.crawl_track import crawl_and_track, extraction_line
from tests.crawl.test_path_parity import _write_site
from tests.scans import char_error_rate, scan_lines, scanned_pdf, text_scan_pdf

SHARED = Path(os.environ.get("DONDOC_SHARED", Path(__file__).resolve().parents[2] / ".." / "shared"))
SEED = SHARED / "seeds" / "004_9fff6fbeef4fd9a5.txt"
AS_OF = dt.date(2025, 10, 10)  # the letter's deadline, 16/10/2025, is then due soon
MISSING = ocr_missing_reason()


@pytest.fixture(autouse=True)
def _tesseract() -> None:
    """Skip (fail in CI) where Tesseract or its Vietnamese model is truly absent."""
    if MISSING is not None:
        if os.environ.get("CI"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)


@pytest.fixture(scope="module")
def seed_page() -> str:
    """Seed 004 up to its two numbered tasks: one page of a provincial letter."""
    if not SEED.exists():
        pytest.skip(f"thiếu tệp mẫu {SEED.resolve()}")
    return "\n".join(SEED.read_text(encoding="utf-8").splitlines()[:27])


@pytest.fixture(scope="module")
def scan(seed_page: str) -> bytes:
    """The page rendered at 300 dpi, tilted 0.7° and speckled, as a PDF without a text layer."""
    return text_scan_pdf(seed_page, tilt_deg=0.7)


def test_tilted_scan_is_read_back_with_few_errors(seed_page: str, scan: bytes) -> None:
    """The reader marks the PDF as a scan; OCR reads it with a character error rate under 2%."""
    document = document_from_bytes(scan, "quet.pdf")
    assert document.needs_ocr and not document.text.strip()
    read = with_ocr(document, scan)
    assert read.ocr_confidence is not None and read.ocr_confidence > 80
    assert char_error_rate(read.text, "\n".join(scan_lines(seed_page))) < 0.02
    assert "Số: 10447/UBND-VX" in read.text


def test_dondoc_extract_reads_tasks_of_a_scan(
    seed_page: str, scan: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`dondoc extract` on the scanned PDF finds the tasks it finds in the same text: leads and deadlines."""
    (tmp_path / "cong-van.txt").write_text(seed_page + "\n", encoding="utf-8")
    (tmp_path / "cong-van-quet.pdf").write_bytes(scan)
    found = {}
    for name in ("cong-van.txt", "cong-van-quet.pdf"):
        with _kept_logging():
            assert scheduler.main(["extract", str(tmp_path / name)]) == 0
        records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        found[name] = sorted((tuple(r["lead"]), r["deadline"]["due"]) for r in records)
    assert len(found["cong-van.txt"]) == 2 and found["cong-van-quet.pdf"] == found["cong-van.txt"]


def test_crawled_scan_is_ocrd_and_its_tasks_reach_the_digest(scan: bytes, tmp_path: Path) -> None:
    """A scanned PDF on the local portal is crawled, OCR'd after the crawl (its confidence kept) and its
    tasks reach the unit's digest, which says they come from page 1 of a scan and links to that page;
    an oversized image beside it is reported with its reason."""
    root = tmp_path / "www"
    root.mkdir()
    _write_site(root, {"cong-van-quet.pdf": scan, "anh-qua-lon.png": _png_header(20_000, 20_000)})
    site = serve_site(root=root)
    try:
        portal = next(s for s in demo_sources(site.base_url) if s.family == "vanban")
        config = Config(general=GeneralConfig(database=str(tmp_path / "dondoc.sqlite3")), sources=(portal,))
        outcome = crawl_and_track(config, None, AS_OF)
    finally:
        site.stop()
    assert outcome.all_ok, outcome
    extraction = outcome.extraction
    assert extraction.scans == 1 and extraction.tasks >= 2
    assert len(extraction.ocr_failures) == 1 and "20000×20000" in extraction.ocr_failures[0]
    assert "Bản quét không đọc được" in extraction_line(extraction)
    with open_session(config.database_url()) as session:
        docs = {d.url.rsplit("docid=", 1)[-1]: d for d in session.scalars(select(Document))}
        assert docs["1"].ocr_confidence is not None and "10447/UBND-VX" in docs["1"].text
        assert docs["2"].ocr_error == extraction.ocr_failures[0]
        digest = preview_unit_digest(session, "Sở Khoa học và Công nghệ tỉnh Nghệ An", AS_OF)
    assert digest and "Mục V của Thông báo" in digest and "16/10/2025" in digest
    assert "(bản quét, trang 1, nhận dạng chữ tự động, độ tin cậy 9" in digest  # from a scan, with its page
    assert "Xem: http://" in digest and "docid=1#page=1" in digest  # the link opens that page of the PDF


@contextlib.contextmanager
def _kept_logging() -> Iterator[None]:
    """Run a CLI command without leaving its log handlers (bound to captured streams) behind."""
    handlers = logging.root.handlers[:]
    try:
        yield
    finally:
        logging.root.handlers[:] = handlers


def test_long_scan_is_cut_to_the_page_bound() -> None:
    """A 200-page scan is read only up to ocr_max_pages, and the reason says so."""
    assert DEFAULT_OCR.max_pages < 200
    blank = Image.new("L", (425, 550), 255)
    pdf = scanned_pdf([blank] * 200)
    document = document_from_bytes(pdf, "dai.pdf")
    with pytest.raises(UnusableInputError) as refused:  # blank pages: nothing to read after the cut
        with_ocr(document, pdf, OcrLimits(max_pages=2))
    assert "bản quét có 200 trang, chỉ nhận dạng 2 trang đầu" in str(refused.value)


def test_huge_image_is_refused_before_decoding() -> None:
    """A 20000×20000-pixel image is refused with its size and the bound, never decoded."""
    png = _png_header(20_000, 20_000)
    document = document_from_bytes(png, "anh.png")
    assert document.needs_ocr
    with pytest.raises(UnusableInputError, match="20000×20000 điểm ảnh, vượt giới hạn"):
        with_ocr(document, png)


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares width×height pixels (grayscale) with one empty row of data: big on paper."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    out = io.BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00"))
              + chunk(b"IEND", b""))
    return out.getvalue()
