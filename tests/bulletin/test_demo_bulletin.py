"""The bulletin of the demo database, end to end: the bundled site crawled by the real worker, then
`dondoc bulletin draft` and `render`, read back; and its printed pages through tools.render_outputs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from crawler.config import Config
from crawler.crawl import run_crawl
from crawler.site import demo_sources, serve_site
from crawler.storage.engine import upgrade_database
from notifier.bulletin.draftfile import load_draft
from notifier.bulletin.model import Draft, DraftItem
from scheduler import main

from .test_report_pages import ROOT, page_texts, tools_present

pytestmark = pytest.mark.slow
TITLE = "Bản tin CCHC tỉnh Quảng Nam"


@pytest.fixture(scope="module")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config whose database holds the crawled demo site (as `dondoc demo --db` leaves it)."""
    folder = tmp_path_factory.mktemp("demo-bulletin")
    database = folder / "demo.sqlite3"
    upgrade_database(f"sqlite:///{database}")
    site = serve_site()
    try:
        report = run_crawl(Config(sources=demo_sources(site.base_url)), f"sqlite:///{database}", None, 300)
    finally:
        site.stop()
    assert report.ok, report
    config = folder / "dondoc.toml"
    text = f'[general]\ndatabase = "{database}"\n\n[bulletin]\ntitle = "{TITLE}"\n'
    config.write_text(text, encoding="utf-8")
    return config


@pytest.fixture(autouse=True)
def no_database_override(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The config's database is the one used, whatever the environment says."""
    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    yield


def draft_of(config: Path, out: Path, *extra: str) -> Draft:
    """Run `dondoc bulletin draft` for the seed period and read the draft back."""
    period = ["--from", "2025-03-25", "--to", "2025-10-31"] if "--week" not in extra else []
    assert main(["bulletin", "draft", *period, "--out", str(out), "--config", str(config), *extra]) == 0
    return load_draft(out)


def by_title(draft: Draft, start: str) -> DraftItem:
    """The item whose title starts with `start`."""
    return next(item for item in draft.items if item.title.startswith(start))


def test_demo_draft_has_three_sections_capitals_and_outlet(demo_config: Path, tmp_path: Path) -> None:
    draft = draft_of(demo_config, tmp_path / "draft.toml")
    sections = {s.key: [i for i in draft.items if i.section == s.key] for s in draft.sections}
    assert all(sections.values()), {key: len(items) for key, items in sections.items()}
    titles = " | ".join(item.title for item in draft.items)
    for written in ("Hải Phòng đứng đầu", "lĩnh vực BHXH", "chỉ số PAR INDEX", "Thủ tướng Chính phủ đôn đốc",
                    "Quảng Nam thăng hạng", "Đại Lộc tập huấn"):
        assert written in titles
    for lowered in ("Hải phòng", "Quảng nam", "bhxh", "par index", "Thủ tướng chính phủ"):
        assert lowered not in titles
    assert by_title(draft, "Khi khu vực công áp dụng KPI").section == "phan-tich-binh-luan"
    assert by_title(draft, "Đại Lộc tập huấn").section == "dia-phuong"
    assert by_title(draft, "Quảng Nam thăng hạng").reason == "tiêu đề nêu địa danh “Quảng Nam”"
    assert all(item.reason for item in draft.items)
    assert {item.source for item in draft.items} == {"Baochinhphu.vn"}
    assert by_title(draft, "Khi khu vực công").author is None  # "(Sggp.org.vn 02/4)" names no author
    assert by_title(draft, "Hà Nội yêu cầu").author == "Diệu Thương"


def test_items_carry_the_cleaned_full_text_or_the_lead_only(demo_config: Path, tmp_path: Path) -> None:
    full = draft_of(demo_config, tmp_path / "full.toml")
    meeting = by_title(full, "Thủ tướng chủ trì phiên họp")
    paragraphs = meeting.summary.split("\n\n")
    assert len(paragraphs) > 10
    assert not [p for p in paragraphs if "Ảnh:" in p]  # "Các đại biểu dự phiên họp - Ảnh: VGP/Nhật Bắc"
    hanoi = by_title(full, "Hà Nội yêu cầu").summary
    assert "31/1/2026" in hanoi and "(Nhandan.vn 01/4" not in hanoi and "https://" not in hanoi

    lead = draft_of(demo_config, tmp_path / "lead.toml", "--lead-only")
    short = by_title(lead, "Thủ tướng chủ trì phiên họp").summary
    assert paragraphs[0].startswith(short[:80]) and len(short) < len(meeting.summary) / 5

    config = tmp_path / "lead-config.toml"
    config.write_text(demo_config.read_text(encoding="utf-8") + "lead_only = true\n", encoding="utf-8")
    assert by_title(draft_of(config, tmp_path / "lead2.toml"), "Thủ tướng chủ trì").summary == short
    full_again = draft_of(config, tmp_path / "full2.toml", "--full-text")
    assert by_title(full_again, "Thủ tướng chủ trì").summary == meeting.summary


def test_rendered_bulletin_pages_carry_the_footer_with_name_number_and_page(demo_config: Path,
                                                                            tmp_path: Path) -> None:
    draft_path = tmp_path / "ban-tin-2025-W14.toml"
    draft_of(demo_config, draft_path, "--week", "2025-W14", "--lead-only")
    out = tmp_path / "out"
    assert main(["bulletin", "render", str(draft_path), "--out", str(out), "--config", str(demo_config)]) == 0
    docx_path = out / "ban-tin-2025-W14.docx"
    footer = docx.Document(str(docx_path)).sections[0].footer.paragraphs[0].text
    assert footer.startswith(f"{TITLE} Số 14/2025 – Trang ")

    tools_present()
    renders = tmp_path / "renders"
    run = subprocess.run([sys.executable, "-m", "tools.render_outputs", str(docx_path),
                          str(out / "ban-tin-2025-W14.html"), "--out", str(renders)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    pages = page_texts(renders / "ban-tin-2025-W14.docx.pdf")
    assert 3 <= len(pages) <= 20
    for number, (width, height, right, text) in enumerate(pages, start=1):
        assert abs(width - 595) < 3 and abs(height - 842) < 3  # portrait A4 in points
        assert right <= width - 40  # no text runs into the right margin
        assert f"{TITLE} Số 14/2025 – Trang {number}/{len(pages)}" in text
    assert "PHÂN TÍCH - BÌNH LUẬN" in " ".join(text for *_, text in pages)
    assert len(list(renders.glob("ban-tin-2025-W14.docx-*.png"))) == len(pages)
    assert list(renders.glob("ban-tin-2025-W14.html-*.png"))
    printed = page_texts(renders / "ban-tin-2025-W14.html.pdf")
    assert all(right <= width - 20 for width, _height, right, _text in printed)  # the HTML page is not cut
