"""Build the bundled demo site (crawler/site/www) from the shared seeds; run once, commit the output.

    python -m tools.build_site [SEEDS_DIR]

Seeds 000 and 001 (weekly CCHC bulletins) become baochinhphu-style articles with a category page,
timelinelist paging fragments and an RSS feed; seed 004 (the 10447/UBND-VX cover letter with
Thông báo 46-TB/TGV) becomes a vanban-style list, a detail page and a PDF attachment with a text layer.
Only this script needs the DejaVu fonts and fpdf2; the generated files are what ships.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from crawler.extract.normalize import unmarked
from crawler.site.server import ROUTES_FILE, SITE_DIR
from notifier.bulletin.titles import headline_case

SEEDS_DIR = Path("/work/shared/seeds")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
ZONE_ID = "1001"
CATEGORY_SLUG = "cai-cach-hanh-chinh"
CATEGORY_NAME = "Cải cách hành chính"
PAGE_SIZE = 20
VN = dt.timezone(dt.timedelta(hours=7))
FIRST_PUBLISHED = dt.datetime(2025, 4, 1, 7, 30, tzinfo=VN)
DOC_ID = "212345"
PDF_NAME = "10447-UBND-VX.pdf"

_HEADING_000 = re.compile(r"^\s*\d+\.\s+(.+?)\s*$")
_SECTION = re.compile(r"^\s*(TIN CẢI CÁCH HÀNH CHÍNH .+?)\s*$")
_BACK_TO_TOP = re.compile(r"Về\s*đầu\s*trang[./]*")
_CREDIT = re.compile(r"\(([A-Za-z.]+\.(?:vn|org\.vn))\s+\d{1,2}/\d{1,2}(?:,\s*([^)]+))?\)")
_LINK_LINE = re.compile(r"^\s*(?:https?://\S+\s*)+")  # PDF link annotations printed inside the text
_CAPTION_END = re.compile(r"Ảnh:\s*([^.!?]{1,40})$")  # a photo caption's credit ends its own paragraph
_END_PUNCT = (".", ":", ";", "!", "?", ")", "…")


@dataclass(frozen=True)
class Article:
    """One bulletin item turned into a news article."""

    title: str
    sapo: str
    paragraphs: tuple[str, ...]
    author: str
    section: str

    @property
    def section_name(self) -> str:
        """The outlet's section as its breadcrumb writes it ("Tin cải cách hành chính Trung ương")."""
        return headline_case(self.section)


def _is_upper(line: str) -> bool:
    """True for an all-capitals line (bulletin headings)."""
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _unwrap_credits(lines: list[str]) -> list[str]:
    """Move a caption credit's capitalized name wrapped onto the next line back ("Ảnh: TÂM" / "ĐAN …")."""
    out = list(lines)
    for n in range(len(out) - 1):
        caption = _CAPTION_END.search(out[n])
        head, _, rest = out[n + 1].partition(" ")
        if caption and caption.group(1).isupper() and head.isupper() and len(head) > 1:
            out[n], out[n + 1] = f"{out[n]} {head}", rest
    return out


def _paragraphs(lines: list[str]) -> list[str]:
    """Join PDF-extracted lines into paragraphs, breaking after sentence-ending punctuation and after a
    photo caption's credit; link lines the PDF printed inside the text are left out."""
    paragraphs: list[str] = []
    current: list[str] = []
    unlinked = (_LINK_LINE.sub("", line).strip() for line in lines)
    kept = [line for line in unlinked if line and not _SECTION.match(line)]
    for line in _unwrap_credits(kept):
        if not line:
            continue
        current.append(line)
        if line.endswith(_END_PUNCT) or _CAPTION_END.search(line):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def articles_from_bulletin_000(text: str) -> list[Article]:
    """Split the numbered, all-capitals items of bulletin 000 into articles."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _HEADING_000.match(line) and _is_upper(line)]
    section = "TIN CẢI CÁCH HÀNH CHÍNH TRUNG ƯƠNG"
    articles = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        before = "\n".join(lines[:start])
        if "TIN CẢI CÁCH HÀNH CHÍNH ĐỊA PHƯƠNG" in before:
            section = "TIN CẢI CÁCH HÀNH CHÍNH ĐỊA PHƯƠNG"
        title_parts = [_HEADING_000.match(lines[start]).group(1)]  # type: ignore[union-attr]
        i = start + 1
        while i < end and (not lines[i].strip() or _is_upper(lines[i])) and not _SECTION.match(lines[i]):
            if lines[i].strip():
                title_parts.append(lines[i].strip())
            i += 1
        body = [line for line in lines[i:end] if not line.strip().startswith(("Theo:", "Nguồn:"))]
        paragraphs = _paragraphs(body)
        title = headline_case(" ".join(title_parts), "\n".join(paragraphs))
        articles.append(Article(title, paragraphs[0], tuple(paragraphs[1:]), "Tổ biên tập", section))
    return articles


def articles_from_bulletin_001(text: str) -> list[Article]:
    """Split bulletin 001 at its "Về đầu trang" marks into articles, keeping the credited author."""
    articles = []
    section = "CẢI CÁCH ĐỊA PHƯƠNG"
    for chunk in _BACK_TO_TOP.split(text):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        while lines and (lines[0].startswith("http") or _is_upper(lines[0])):
            if lines[0].startswith("http"):  # the previous item's source link, wrapped over lines
                while lines.pop(0).endswith("-"):
                    pass
            else:
                section = lines.pop(0)
        if len(" ".join(lines)) < 400:
            continue
        title = lines.pop(0)
        while not title.endswith(_END_PUNCT) and not lines[0][:1].isupper():
            title = f"{title} {lines.pop(0)}"
        credit = _CREDIT.search(chunk)
        author = (credit.group(2) or "") if credit else "PV"  # "(Sggp.org.vn 02/4)" names no author
        paragraphs = _paragraphs(lines)
        articles.append(Article(title, paragraphs[0], tuple(paragraphs[1:]), author.strip(), section))
    return articles


def slugify(text: str) -> str:
    """ASCII slug of a Vietnamese headline, as baochinhphu builds article URLs."""
    ascii_text = unmarked(text).lower()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text).split()
    slug = ""
    for word in words:
        if len(slug) + len(word) > 80:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


def article_id(published: dt.datetime, serial: int) -> str:
    """Article id: 102 + UTC yymmddhhmmss + serial, so the id can be a day off the local date."""
    return "102" + published.astimezone(dt.UTC).strftime("%y%m%d%H%M%S") + f"{serial:02d}"


def _month_first(moment: dt.datetime) -> str:
    """The `7/31/2026 9:18:00 AM` style used by the list's title attributes and the RSS feed."""
    hour = moment.hour % 12 or 12
    ampm = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment:%M:%S} {ampm}"


def _e(text: str) -> str:
    """HTML-escape text and attributes."""
    return html.escape(text, quote=True)


def article_html(art: Article, url_path: str, published: dt.datetime, related: tuple[str, str],
                 table: tuple[tuple[str, ...], ...] | None) -> str:
    """A baochinhphu-style article page with the traps: figure, related box, comments, trailer."""
    ld: dict[str, object] = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": art.title,
                             "datePublished": published.isoformat(), "articleSection": art.section_name,
                             "mainEntityOfPage": url_path}
    if art.author:
        ld["author"] = {"@type": "Person", "name": art.author}
    name = f'<span class="detail-author-top-name">{_e(art.author)}</span>'
    byline = f'<div class="detail-author">{name}</div>\n' if art.author else ""
    body = [f"<p>{_e(p)}</p>" for p in art.paragraphs]
    figure = ('<figure class="VCSortableInPreviewMode" type="Photo"><img src="/images/cchc.jpg" '
              'alt="Ảnh minh họa"><figcaption>Ảnh minh họa: VGP</figcaption></figure>')
    body.insert(min(1, len(body)), figure)
    body.insert(min(2, len(body)), f"<!-- Created: {_month_first(published)} -->")
    if table:
        cells = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in table)
        body.insert(min(3, len(body)), f'<table class="table-tasks" border="1">{cells}</table>')
    body.insert(max(len(body) - 1, 0),
                '<div class="VCSortableInPreviewMode" type="RelatedNewsBox"><div class="kbwscwl-relatedbox">'
                f'<ul><li><a href="{related[0]}">{_e(related[1])}</a></li></ul></div></div>')
    shown = published.strftime("%d/%m/%Y %H:%M")
    edited = _month_first(published + dt.timedelta(days=2, hours=2))
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{_e(art.title)}</title>
<meta property="og:title" content="{_e(art.title)}">
<meta name="description" content="{_e(art.sapo)}">
<meta property="article:published_time" content="{published.isoformat()}">
<meta property="article:section" content="{_e(art.section_name)}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head>
<body>
<!-- header rendered {_month_first(published + dt.timedelta(days=3))} -->
<div class="detail-container" data-layout="1">
<div class="detail-cate"><a href="/{CATEGORY_SLUG}.htm">{_e(art.section_name)}</a></div>
<h1 class="detail-title" data-role="title">{_e(art.title)}</h1>
{byline}<div class="detail-time" data-role="publishdate">{shown}</div>
<h2 class="detail-sapo" data-role="sapo">(Chinhphu.vn) - {_e(art.sapo)}</h2>
<div class="detail-content afcbc-body" data-role="content">
{chr(10).join(body)}
</div>
</div>
</body>
</html>
<!--u: {edited}-->
"""


def stream_item(art: Article, url_path: str, published: dt.datetime, item_id: str) -> str:
    """One `div.box-stream-item` of the category page or a timelinelist fragment."""
    return f"""<div class="box-stream-item" data-id="{item_id}">
<a class="box-stream-link-thumb" href="{url_path}"><img src="/images/thumb.jpg" alt=""></a>
<div class="box-stream-content">
<h2><a class="box-stream-link-title" data-linktype="newsdetail" data-id="{item_id}" href="{url_path}" \
title="{_e(art.title)}">{_e(art.title)}</a></h2>
<a class="box-stream-category" href="/{CATEGORY_SLUG}.htm">{CATEGORY_NAME}</a>
<span class="box-stream-time" title="{_month_first(published)}">{published:%d/%m/%Y %H:%M}</span>
<p class="box-stream-sapo">{_e(art.sapo[:240])}</p>
</div>
</div>"""


def category_html(items: list[str]) -> str:
    """The category page with the hidden zone id and the first 20 items."""
    return f"""<!DOCTYPE html>
<html lang="vi">
<head><meta charset="utf-8"><title>{CATEGORY_NAME} - Báo Chính phủ</title></head>
<body>
<h1 class="box-cate-title">{CATEGORY_NAME}</h1>
<input type="hidden" id="hdZoneId" value="{ZONE_ID}">
<input type="hidden" id="hdPageIndex" value="1">
<div class="box-stream" data-zone="{ZONE_ID}">
{chr(10).join(items)}
</div>
<div class="list__viewmore" data-zone="{ZONE_ID}">Xem thêm</div>
</body>
</html>
"""


def rss_xml(entries: list[tuple[Article, str, dt.datetime]]) -> str:
    """An RSS 2.0 feed with month-first pubDates without zone, tracking parameters and one empty pubDate."""
    items = []
    for n, (art, path, published) in enumerate(entries):
        pub = "" if n == len(entries) - 1 else _month_first(published)
        link = f"{{{{base_url}}}}{path}?utm_source=rss&amp;utm_medium=feed&amp;gidzl=Zx9{n}#top"
        items.append(f"""<item>
<title>{_e(art.title)}</title>
<link>{link}</link>
<guid isPermaLink="false">{path}</guid>
<description><![CDATA[{art.sapo[:300]}]]></description>
<pubDate>{pub}</pubDate>
</item>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>Báo Chính phủ - {CATEGORY_NAME}</title>
<link>{{{{base_url}}}}/{CATEGORY_SLUG}.htm</link>
<description>Tin {CATEGORY_NAME.lower()}</description>
<language>vi</language>
{chr(10).join(items)}
</channel>
</rss>
"""


def build_news(seeds: Path, out: Path, routes: dict[str, object]) -> None:
    """Write the articles, the category page, the timelinelist fragments and the RSS feed."""
    arts = articles_from_bulletin_000(_seed(seeds, "000")) + articles_from_bulletin_001(_seed(seeds, "001"))
    entries = []
    for n, art in enumerate(arts):
        published = FIRST_PUBLISHED + dt.timedelta(hours=4, minutes=45) * n
        item_id = article_id(published, n + 1)
        entries.append((art, f"/{slugify(art.title)}-{item_id}.htm", published, item_id))
    entries.reverse()  # newest first, as the site lists them
    task_table = (("Nhiệm vụ", "Cơ quan thực hiện", "Thời hạn"),
                  ("Đề xuất phương án xử lý vốn ngân sách trung ương kế hoạch năm 2025 còn lại chưa phân "
                   "bổ chi tiết, gửi Bộ Tài chính", "Các bộ, cơ quan trung ương và địa phương",
                   "Trước ngày 15/5/2025"))
    for n, (art, path, published, _item_id) in enumerate(entries):
        related = entries[(n + 1) % len(entries)]
        name = f"article-{_item_id}.htm"
        table = task_table if art.title.startswith("Thủ tướng Chính phủ đôn đốc") else None
        (out / name).write_text(article_html(art, path, published, (related[1], related[0].title), table),
                                encoding="utf-8")
        routes[path] = {"file": name}
    items = [stream_item(a, p, d, i) for a, p, d, i in entries]
    (out / "news-category.htm").write_text(category_html(items[:PAGE_SIZE]), encoding="utf-8")
    routes[f"/{CATEGORY_SLUG}.htm"] = {"file": "news-category.htm"}
    pages = [items[i:i + PAGE_SIZE] for i in range(PAGE_SIZE, len(items), PAGE_SIZE)] + [[]]
    for page_no, page_items in enumerate(pages, start=2):
        name = f"timelinelist-{ZONE_ID}-{page_no}.htm"
        (out / name).write_text("\n".join(page_items), encoding="utf-8")
        routes[f"/timelinelist/{ZONE_ID}/{page_no}.htm"] = {"file": name}
    (out / "news-feed.rss").write_text(rss_xml([(a, p, d) for a, p, d, _ in entries]), encoding="utf-8")
    routes[f"/rss/{CATEGORY_SLUG}.rss"] = {"file": "news-feed.rss", "templated": True}


@dataclass(frozen=True)
class VanbanDoc:
    """The fields a vanban detail page shows for one document."""

    number: str
    issued: dt.date
    kind: str
    issuer: str
    signer: str
    summary: str


def vanban_doc(seed_text: str) -> VanbanDoc:
    """Read the cover letter's own header fields from seed 004."""
    summary = next(line for line in seed_text.splitlines() if line.startswith("V/v "))
    return VanbanDoc(number="10447/UBND-VX", issued=dt.date(2025, 10, 3), kind="Công văn",
                     issuer="Ủy ban nhân dân tỉnh Nghệ An", signer="Hoàng Vĩnh Trường",
                     summary=summary.strip())


def vanban_list_html(doc: VanbanDoc, detail: str, file_url: str) -> str:
    """The document list page: an ASP.NET form with one row per document."""
    return f"""<!DOCTYPE html>
<html lang="vi">
<head><meta charset="utf-8"><title>Hệ thống văn bản</title></head>
<body>
<form method="post" action="./he-thong-van-ban?classid=2&amp;mode=1" id="form1">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRk">
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="/wEdAAKpc2VjcmV0">
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="">
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="">
<table class="search-result">
<tr class="doc-row">
<td><span class="code">{doc.number}</span></td>
<td><span class="issued-date">{doc.issued:%d/%m/%Y}</span></td>
<td><a href="{detail}"><span class="substract">{_e(doc.summary)}</span></a>
<div class="bl-doc-file"><a href="{file_url}">Tải về</a></div></td>
</tr>
</table>
</form>
</body>
</html>
"""


def vanban_detail_html(doc: VanbanDoc, file_url: str) -> str:
    """The detail page: `td.col1` labels and their values, `a.view-file` to the attachment."""
    rows = [("Số ký hiệu", doc.number), ("Ngày ban hành", f"{doc.issued:%d-%m-%Y}"),
            ("Loại văn bản", doc.kind), ("Cơ quan ban hành", doc.issuer), ("Người ký", doc.signer),
            ("Trích yếu", doc.summary)]
    cells = "\n".join(f'<tr><td class="col1">{label}</td><td class="col2">{_e(value)}</td></tr>'
                      for label, value in rows)
    return f"""<!DOCTYPE html>
<html lang="vi">
<head><meta charset="utf-8"><title>{_e(doc.number)} - Văn bản</title></head>
<body>
<div class="box-doc-detail">
<h4 class="title">{_e(doc.kind)} {doc.number}</h4>
<table class="table-detail">
{cells}
<tr><td class="col1">Tài liệu đính kèm</td><td class="col2">
<a class="view-file" href="{file_url}" target="_blank">{PDF_NAME}</a></td></tr>
</table>
</div>
</body>
</html>
"""


def seed_pdf(seed_text: str, path: Path) -> None:
    """Typeset seed 004 as an A4 PDF with a text layer: one paragraph per seed line, bold as marked."""
    from fpdf import FPDF  # build-time only: the installed package never needs fpdf2 or fonts

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    for raw in seed_text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            pdf.ln(2.5)
            continue
        heading = re.match(r"^#+\s*", line)
        plain = re.sub(r"^#+\s*", "", line).replace("**", "").replace("*", "").strip()
        pdf.set_font("DejaVu", "B" if heading or line.startswith("**") else "", 10.5)
        pdf.multi_cell(0, 5.2, plain, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def build_vanban(seeds: Path, out: Path, routes: dict[str, object]) -> None:
    """Write the document list, the detail page and the PDF attachment of seed 004."""
    text = _seed(seeds, "004")
    doc = vanban_doc(text)
    detail = f"/?pageid=27160&docid={DOC_ID}"
    file_url = f"/files/2025/10/{PDF_NAME}"
    (out / "vanban-list.htm").write_text(vanban_list_html(doc, detail.replace("&", "&amp;"), file_url),
                                         encoding="utf-8")
    (out / f"vanban-{DOC_ID}.htm").write_text(vanban_detail_html(doc, file_url), encoding="utf-8")
    seed_pdf(text, out / PDF_NAME)
    routes["/he-thong-van-ban?classid=2&mode=1"] = {"file": "vanban-list.htm"}
    routes[detail] = {"file": f"vanban-{DOC_ID}.htm"}
    routes[file_url] = {"file": PDF_NAME}


def _seed(seeds: Path, prefix: str) -> str:
    """The text of the seed whose file name starts with `prefix`."""
    return next(seeds.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def build(seeds: Path = SEEDS_DIR, out: Path = SITE_DIR) -> None:
    """Regenerate every file of the demo site and its routes manifest."""
    out.mkdir(parents=True, exist_ok=True)
    routes: dict[str, object] = {}
    build_news(seeds, out, routes)
    build_vanban(seeds, out, routes)
    (out / "robots.txt").write_bytes(
        "\ufeffUser-agent: *\nDisallow: /admin/\nDisallow: /tim-kiem.htm\n".encode()
    )
    routes["/robots.txt"] = {"file": "robots.txt"}
    (out / ROUTES_FILE).write_text(json.dumps(routes, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else SEEDS_DIR)
