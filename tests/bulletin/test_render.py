"""Rendering the bulletin: golden HTML, the DOCX read back (headings, items, links, font, A4), an
edited draft rendered with its edits, escaping of scraped text, and LibreOffice's PDF of the DOCX.

Set DONDOC_REGENERATE_GOLDEN=1 to rewrite the golden files from the current output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pdfplumber
import pytest
from sqlalchemy.orm import Session

from crawler.errors import BulletinInputError
from notifier.bulletin.draft import draft_bulletin, week_period
from notifier.bulletin.draftfile import load_draft
from notifier.bulletin.render import (
    render_bulletin,
    render_bulletin_file,
    render_bulletin_html,
    write_bulletin_docx,
)

from .rows import ARTICLES

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = "DONDOC_REGENERATE_GOLDEN"


def make_draft(session: Session, tmp_path: Path) -> Path:
    """Draft week 2025-W14 into a file and return its path."""
    path = tmp_path / "ban-tin-2025-W14.toml"
    draft_bulletin(session, week_period("2025-W14"), path)
    return path


def assert_golden(name: str, text: str) -> None:
    """Compare text with a golden file, or rewrite the file when DONDOC_REGENERATE_GOLDEN is set."""
    path = GOLDEN / name
    if os.environ.get(REGENERATE):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"golden file {path} missing: run with {REGENERATE}=1"
    assert text == path.read_text(encoding="utf-8")


def item_blocks(text: str) -> tuple[str, list[str]]:
    """Split draft text into its head and its `[[items]]` blocks, as an editor sees them."""
    head, *blocks = re.split(r"(?m)^(?=\[\[items\]\]$)", text)
    return head, blocks


def block_of(blocks: list[str], url: str) -> int:
    """The index of the block of the item with this URL."""
    return next(i for i, block in enumerate(blocks) if f'url = "{url}"' in block)


def test_html_matches_golden(session: Session, article_ids: list[int], tmp_path: Path) -> None:
    html = render_bulletin_html(load_draft(make_draft(session, tmp_path)))
    assert_golden("ban-tin-2025-W14.html", html)


def test_edited_draft_renders_with_its_edits(session: Session, article_ids: list[int],
                                             tmp_path: Path) -> None:
    path = make_draft(session, tmp_path)
    head, blocks = item_blocks(path.read_text(encoding="utf-8"))
    dropped = block_of(blocks, ARTICLES[4].url)
    blocks[dropped] = blocks[dropped].replace("include = true", "include = false")
    first, second = block_of(blocks, ARTICLES[1].url), block_of(blocks, ARTICLES[5].url)
    blocks[first] = blocks[first].replace("order = 10", "order = 20")
    blocks[second] = blocks[second].replace("order = 20", "order = 10")
    rewritten = block_of(blocks, ARTICLES[3].url)
    blocks[rewritten] = re.sub(
        r'summary = """.*?"""', 'summary = """\nBiên tập viên viết lại phần tóm tắt này.\n"""',
        blocks[rewritten], flags=re.DOTALL,
    )
    path.write_text(head + "".join(blocks), encoding="utf-8")

    html_path, docx_path = render_bulletin_file(session, path, tmp_path / "out", ["html", "docx"])
    for text in (html_path.read_text(encoding="utf-8"), docx_text(docx_path)):
        assert "Cục Quản lý, giám sát bảo hiểm" not in text
        assert text.index("Tỉnh Nghệ An xử lý nghiêm") < text.index("Hà Nội yêu cầu các đơn vị")
        assert "Biên tập viên viết lại phần tóm tắt này." in text
        assert "UBND huyện Mê Linh vừa ban hành" not in text


def docx_text(path: Path) -> str:
    """All paragraph text of a DOCX, hyperlinks included, one paragraph a line."""
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_docx_has_headings_items_links_font_and_a4(session: Session, article_ids: list[int],
                                                   tmp_path: Path) -> None:
    path = tmp_path / "ban-tin.docx"
    write_bulletin_docx(load_draft(make_draft(session, tmp_path)), path)
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    headings = [(p.style.name, p.text) for p in paragraphs if p.style.name.startswith("Heading")]
    assert [text for style, text in headings if style == "Heading 1"] == [
        "Mục lục", "TIN CẢI CÁCH HÀNH CHÍNH TRUNG ƯƠNG", "TIN CẢI CÁCH HÀNH CHÍNH ĐỊA PHƯƠNG",
        "PHÂN TÍCH - BÌNH LUẬN",
    ]
    items = [text for style, text in headings if style == "Heading 2"]
    assert len(items) == 7
    assert items[3] == "1. Hà Nội yêu cầu các đơn vị hoàn thành Kế hoạch cải cách hành chính trước ngày 15/4"
    assert "BẢN TIN CẢI CÁCH HÀNH CHÍNH" in paragraphs[0].text
    assert "Số 14/2025 – Từ ngày 31/03/2025 đến ngày 06/04/2025" in paragraphs[1].text

    links = [link for p in paragraphs for link in p.hyperlinks]
    bookmarks = set(document.element.body.xpath(".//w:bookmarkStart/@w:name"))
    internal = [link.fragment for link in links if link.fragment]
    assert set(internal) <= bookmarks
    assert {f"tin_{article_ids[1]}", "muc_luc"} <= set(internal)
    assert sum(1 for link in links if link.text == "Về đầu trang") == 7
    assert ARTICLES[1].url in {link.address for link in links}
    assert any(p.text.startswith("(Nhandan.vn 01/4, Diệu Thương)") for p in paragraphs)

    assert document.styles["Normal"].font.name == "Times New Roman"
    section = document.sections[0]
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("Bản tin cải cách hành chính Số 14/2025 – Trang ")
    fields = [" ".join(code.split()) for code in footer._p.xpath(".//w:instrText/text()")]
    assert fields == ["PAGE", "NUMPAGES"]  # "Trang N/M", filled in by Word and LibreOffice
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_scraped_markup_is_text_everywhere(session: Session, article_ids: list[int], tmp_path: Path) -> None:
    html_path, docx_path = render_bulletin(load_draft(make_draft(session, tmp_path)), tmp_path / "out")
    html = html_path.read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>PAR" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; PAR INDEX 2024" in html
    assert "&lt;b&gt;PAR INDEX&lt;/b&gt;" in html
    text = docx_text(docx_path)
    assert 'Bộ Nội vụ công bố chỉ số <script>alert("x")</script> & PAR INDEX 2024' in text
    assert "Chỉ số <b>PAR INDEX</b> năm 2024" in text


def test_control_characters_and_javascript_links_are_dropped(session: Session, article_ids: list[int],
                                                             tmp_path: Path) -> None:
    path = make_draft(session, tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        'title = "Khi khu vực công áp dụng KPI"', 'title = "Khi khu vực công\\u000b áp dụng KPI"'
    ).replace(f'url = "{ARTICLES[6].url}"', 'url = "javascript:alert(1)"')
    path.write_text(text, encoding="utf-8")
    html_path, docx_path = render_bulletin(load_draft(path), tmp_path / "out")
    assert "javascript:" not in html_path.read_text(encoding="utf-8")
    assert "Khi khu vực công áp dụng KPI" in docx_text(docx_path)


def test_unknown_format_is_refused(session: Session, article_ids: list[int], tmp_path: Path) -> None:
    with pytest.raises(BulletinInputError, match="Định dạng không hỗ trợ: pdf"):
        render_bulletin(load_draft(make_draft(session, tmp_path)), tmp_path, ["pdf"])


def soffice() -> str | None:
    """The LibreOffice binary, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_libreoffice_turns_the_docx_into_sensible_pages(session: Session, article_ids: list[int],
                                                        tmp_path: Path) -> None:
    binary = soffice()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing in CI: run .ci/install-libreoffice.sh")
        pytest.skip("LibreOffice (soffice) is not installed")
    docx_path = tmp_path / "ban-tin.docx"
    write_bulletin_docx(load_draft(make_draft(session, tmp_path)), docx_path)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [binary, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(docx_path)],
        check=True, capture_output=True, timeout=240,
    )
    with pdfplumber.open(tmp_path / "ban-tin.pdf") as pdf:
        assert 1 <= len(pdf.pages) <= 6
        width, height = pdf.pages[0].width, pdf.pages[0].height
        assert abs(width - 595) < 3 and abs(height - 842) < 3  # A4 in points
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert "BẢN TIN CẢI CÁCH HÀNH CHÍNH" in text
    assert "Số 14/2025" in text
    assert "TIN CẢI CÁCH HÀNH CHÍNH ĐỊA PHƯƠNG" in text
    assert "Về đầu trang" in text


def test_html_fits_a_390_px_phone_without_sideways_scrolling(session: Session, article_ids: list[int],
                                                             tmp_path: Path) -> None:
    from tests.webapp.browser import browser_page

    html = render_bulletin_html(load_draft(make_draft(session, tmp_path)))
    with browser_page(390, 844) as page:
        page.set_content(html)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # the long original links wrap instead of widening the page
        assert page.evaluate("Math.max(...[...document.querySelectorAll('a')].map(a => "
                             "a.getBoundingClientRect().right))") <= 390
