"""Rendering: Vietnamese wording, dd/mm/yyyy dates, escaping of scraped text, Telegram splitting."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from notify_helpers import AS_OF, event, view

from crawler.models import Precision
from notifier.digest import Digest, build_digest
from notifier.render import BLOCK_SEPARATOR, count_tags, plain, render_digest, split_parts, utf16_len

TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "del", "a", "code", "pre", "blockquote"}
EVIL = 'Kiểm tra <script>alert("x")</script> & báo cáo <b>gấp</b>'


def sample_digest(n_overdue: int = 1) -> Digest:
    """A digest with a scraped-looking action in every section."""
    tasks = [
        view(i, dt.date(2025, 9, 1) + dt.timedelta(days=i % 20), action=f"{EVIL} số {i}")
        for i in range(1, n_overdue + 1)
    ]
    tasks += [
        view(
            1000,
            dt.date(2025, 10, 5),
            raw="trước ngày 05/10/2025",
            support=("Bộ Công an",),
            action="Ban hành Khung Kiến trúc tổng thể quốc gia số",
        ),
        view(1001, None, raw="Nhiệm vụ thường xuyên", precision=Precision.RECURRING),
    ]
    digest = build_digest("Sở Tài chính", AS_OF, "daily:2025-10-01", tasks, [event(1001, "new", AS_OF)])
    assert digest is not None
    return digest


def test_console_text_is_vietnamese_with_dates() -> None:
    """The plain text names sections in Vietnamese and writes dates dd/mm/yyyy with both forms."""
    text = plain(render_digest(sample_digest(), "console").body)
    assert "NHẮC VIỆC – Sở Tài chính" in text
    assert "Bản tin hằng ngày, ngày 01/10/2025" in text
    assert "== Quá hạn (1 nhiệm vụ) ==" in text
    assert "Sắp đến hạn trong 7 ngày tới" in text
    assert "Mới và thay đổi từ bản tin trước" in text
    assert "Thời hạn: trước ngày 05/10/2025 → ngày 05/10/2025 (còn 4 ngày)" in text
    assert "Văn bản: 46-TB/TGV\n   Xem: http://127.0.0.1/vb?docid=1000" in text
    assert "Chủ trì: Sở Tài chính; phối hợp: Bộ Công an" in text
    assert "[Mới] Triển khai nhiệm vụ" in text and "Thời hạn: Nhiệm vụ thường xuyên" in text
    assert "trễ 29 ngày" in text
    assert BLOCK_SEPARATOR not in text


@pytest.mark.parametrize("channel", ["telegram", "email"])
def test_scraped_markup_is_escaped_in_html(channel: str) -> None:
    """A scraped action with <script> or & can never become markup in Telegram or email HTML."""
    rendered = render_digest(sample_digest(), channel)
    html = rendered.html if channel == "email" else rendered.body
    assert html is not None
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp; báo cáo &lt;b&gt;gấp&lt;/b&gt;" in html
    assert '<a href="http://127.0.0.1/vb?docid=1000">46-TB/TGV</a>' in html


def test_telegram_uses_only_allowed_tags() -> None:
    """Telegram HTML mode accepts only a few tags: the template uses no others."""
    body = render_digest(sample_digest(5), "telegram").body
    tags = {m.lower() for m in re.findall(r"</?([a-zA-Z-]+)", body)}
    assert tags <= TELEGRAM_TAGS


def test_non_http_links_are_dropped() -> None:
    """A javascript: URL from a scraped page is never a link (nor printed)."""
    task = dataclasses.replace(view(1, dt.date(2025, 9, 1)), document_url="javascript:alert(1)")
    digest = build_digest("X", AS_OF, "daily", [task], [])
    assert digest is not None
    for channel in ("console", "telegram", "zalo", "email"):
        rendered = render_digest(digest, channel)
        assert "javascript" not in rendered.body and "javascript" not in (rendered.html or "")


def test_subject_is_one_line() -> None:
    """The subject is a single line, safe for an email header."""
    subject = render_digest(sample_digest(), "email").subject
    assert (
        subject
        == "[dondoc] Bản tin hằng ngày 01/10/2025 – Sở Tài chính: 1 quá hạn, 1 sắp đến hạn, 1 mới/thay đổi"
    )


def test_telegram_split_between_items_never_inside_tags() -> None:
    """A long digest splits under 4096 characters and 100 tags, only at item boundaries."""
    body = render_digest(sample_digest(150), "telegram").body
    parts = split_parts(body, 4096, 100)
    assert len(parts) > 1
    blocks = [b.strip() for b in body.split(BLOCK_SEPARATOR) if b.strip()]
    rejoined = [b.strip() for p in parts for b in p.split("\n\n") if b.strip()]
    assert "\n\n".join(rejoined) == "\n\n".join(blocks)
    for part in parts:
        assert utf16_len(part) <= 4096 and count_tags(part) <= 100
        for tag in ("b", "i", "a"):
            assert part.count(f"<{tag}>") + part.count(f"<{tag} ") == part.count(f"</{tag}>")
        assert BLOCK_SEPARATOR not in part


def test_oversized_line_is_cut_without_tags() -> None:
    """A single line longer than the limit is cut into tag-free chunks."""
    body = "<b>" + "x&amp;y " * 100 + "</b>\n"
    parts = split_parts(body, 50)
    assert all(utf16_len(p) <= 50 and "<" not in p for p in parts)
    assert "".join(p.replace("\n", "") for p in parts).count("x&amp;y") == 100


def test_zalo_parts_fit_2000() -> None:
    """Zalo parts are plain text under 2000 characters."""
    body = render_digest(sample_digest(60), "zalo").body
    parts = split_parts(body, 2000)
    assert len(parts) > 1 and all(len(p) <= 2000 for p in parts)
    assert "<" in "".join(parts)  # plain text keeps scraped characters as written
