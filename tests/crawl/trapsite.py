"""Local copies of every CMS family with the traps of SITES.md, built into a served site directory.

Starts from a copy of the bundled demo site and adds: a second vanban list page reached by ASP.NET
postback (control prefix only in the pager link) with a DOCX attachment; vanban documents whose
attachments are a broken PDF, a scanned PDF and a 60 MB body; a bot-challenge page; a 500; a slow
page; an off-domain redirect; malformed HTML; a dead feed; a feed with a wrong declared encoding;
a Liferay-style provincial portal with query-string paging; and the faults of issue 12: a Word zip
bomb, an Excel zip bomb and a good Excel plan as attachments, 429s with a short, a long and a dated
Retry-After, a redirect loop, an over-long redirect chain, a gzip bomb and an unannounced 60 MB body.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import io
import json
from pathlib import Path

import docx
import openpyxl
from fpdf import FPDF

from crawler.site.server import ROUTES_FILE
from tools.build_site import VanbanDoc, vanban_detail_html, vanban_list_html
from tools.hostile_files import docx_zip_bomb, xlsx_zip_bomb

CHALLENGE = ("<html><head><title>Just a moment...</title><script>var t=Date.now();document.cookie="
             "'__jsch='+t;setTimeout(function(){location.reload()},500)</script></head><body></body></html>")
PAGER = ("<div class=\"pager\"><span>1</span> "
         "<a href=\"javascript:__doPostBack('ctl00$ctrl_7_3$pager','Page$2')\">2</a></div>\n</form>")
DOC = VanbanDoc(number="", issued=dt.date(2025, 10, 1), kind="Kế hoạch",
                issuer="Ủy ban nhân dân tỉnh Nghệ An", signer="Hoàng Phú Hiền", summary="")
PROVINCE_ITEMS = 12
PROVINCE_TITLES = [f"Nghệ An đẩy mạnh cải cách hành chính, chuyển đổi số đợt {n}" for n in range(1, 13)]
SHORT_WAIT_S = 2
REDIRECT_CHAIN = 7


def _write(root: Path, routes: dict[str, object], route: str, name: str, content: str | bytes) -> None:
    """Write a file of the site and route a URL to it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    (root / name).write_bytes(data)
    routes[route] = {"file": name}


def _docx_bytes(lines: list[str]) -> bytes:
    """A small Word file with the given paragraphs."""
    word = docx.Document()
    for line in lines:
        word.add_paragraph(line)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _scanned_pdf() -> bytes:
    """A one-page PDF with a drawing and no text layer, like a scan."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(15, 15, 180, 260, style="F")
    return bytes(pdf.output())


def _vanban(root: Path, routes: dict[str, object], slug: str, docid: int, doc: VanbanDoc,
            attachment: str) -> None:
    """A one-row vanban list at /<slug> with its detail page linking to `attachment`."""
    detail = f"/?pageid=27160&docid={docid}"
    listing = vanban_list_html(doc, detail.replace("&", "&amp;"), attachment)
    _write(root, routes, f"/{slug}", f"{slug}.htm", listing)
    _write(root, routes, detail, f"vanban-{docid}.htm", vanban_detail_html(doc, attachment))


def add_vanban_traps(root: Path, routes: dict[str, object], pdf: bytes) -> None:
    """Postback page 2 with a DOCX, and the broken, scanned and oversized attachments."""
    listing = (root / "vanban-list.htm").read_text(encoding="utf-8").replace("</form>", PAGER)
    (root / "vanban-list.htm").write_text(listing, encoding="utf-8")
    plan = dataclasses.replace(DOC, number="215/KH-UBND", summary="Kế hoạch cải cách hành chính năm 2026")
    page2 = vanban_list_html(plan, "/?pageid=27160&amp;docid=300001", "/files/215-KH-UBND.docx")
    _write(root, routes, "/he-thong-van-ban?classid=2&mode=1&postback=Page$2", "vanban-list-2.htm", page2)
    _write(root, routes, "/?pageid=27160&docid=300001", "vanban-300001.htm",
           vanban_detail_html(plan, "/files/215-KH-UBND.docx"))
    _write(root, routes, "/files/215-KH-UBND.docx", "215-KH-UBND.docx",
           _docx_bytes(["KẾ HOẠCH", "Cải cách hành chính năm 2026 của tỉnh Nghệ An",
                        "1. Sở Nội vụ chủ trì rà soát thủ tục hành chính. Hoàn thành trước 31/3/2026."]))
    broken = dataclasses.replace(DOC, number="16/CT-UBND", summary="Chỉ thị về kỷ luật, kỷ cương hành chính")
    _vanban(root, routes, "vb-hong", 300002, broken, "/files/16-CT-UBND.pdf")
    _write(root, routes, "/files/16-CT-UBND.pdf", "16-CT-UBND.pdf", pdf[: len(pdf) // 3])
    scanned = dataclasses.replace(DOC, number="17/CT-UBND", summary="Chỉ thị về chuyển đổi số (bản quét)")
    _vanban(root, routes, "vb-quet", 300003, scanned, "/files/17-CT-UBND.pdf")
    _write(root, routes, "/files/17-CT-UBND.pdf", "17-CT-UBND.pdf", _scanned_pdf())
    huge = dataclasses.replace(DOC, number="18/CT-UBND", summary="Chỉ thị kèm tệp 60 MB")
    _vanban(root, routes, "vb-lon", 300004, huge, "/files/18-CT-UBND.pdf")
    routes["/files/18-CT-UBND.pdf"] = {"size_mb": 60}


def _plan_xlsx() -> bytes:
    """An Excel plan: one task row with its lead unit and a date-cell deadline."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn hoàn thành"])
    workbook.active.append([1, "Công bố danh mục thủ tục hành chính liên thông", "Sở Tư pháp",
                            dt.datetime(2026, 4, 30)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def add_fault_traps(root: Path, routes: dict[str, object]) -> None:
    """Issue 12's crawl faults: bad and good office attachments, Retry-After, redirects and sizes."""
    for slug, docid, number, summary, name, content in (
        ("vb-docx-hong", 300005, "19/CT-UBND", "Chỉ thị kèm tệp Word là bom zip", "19-CT-UBND.docx",
         docx_zip_bomb(100)),
        ("vb-xlsx-bom", 300006, "20/KH-UBND", "Kế hoạch kèm bảng tính là bom zip", "20-KH-UBND.xlsx",
         xlsx_zip_bomb(100)),
        ("vb-bang", 300007, "21/KH-UBND", "Kế hoạch liên thông thủ tục hành chính", "21-KH-UBND.xlsx",
         _plan_xlsx()),
    ):
        doc = dataclasses.replace(DOC, number=number, summary=summary)
        _vanban(root, routes, slug, docid, doc, f"/files/{name}")
        _write(root, routes, f"/files/{name}", name, content)
    routes["/cho-lau.htm"] = {"status": 429, "headers": {"Retry-After": "3600"}}
    routes["/cho-ngay.htm"] = {"status": 503, "headers": {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}}
    routes["/cho-ngan.htm"] = {"status": 429, "headers": {"Retry-After": str(SHORT_WAIT_S)}}
    routes["/vong-a.htm"] = {"redirect": "/vong-b.htm"}
    routes["/vong-b.htm"] = {"redirect": "/vong-a.htm"}
    for n in range(1, REDIRECT_CHAIN + 1):
        routes[f"/xa-{n}.htm"] = {"redirect": f"/xa-{n + 1}.htm"}
    _write(root, routes, "/bom-gzip.htm", "bom-gzip.htm.gz",
           gzip.compress(b"<html><body>" + b" " * (100 * 1024 * 1024) + b"</body></html>", compresslevel=9))
    routes["/bom-gzip.htm"] = {"file": "bom-gzip.htm.gz", "type": "text/html; charset=utf-8",
                               "headers": {"Content-Encoding": "gzip"}}
    routes["/lon-an.htm"] = {"size_mb": 60, "unannounced": True}


def add_http_traps(root: Path, routes: dict[str, object]) -> None:
    """Challenge page, 500, slow page, off-domain redirect, malformed HTML, dead and mis-declared feeds."""
    _write(root, routes, "/thach-thuc.htm", "thach-thuc.htm", CHALLENGE)
    routes["/loi-may-chu.htm"] = {"status": 500}
    routes["/cham.htm"] = {"file": "news-category.htm", "delay_s": 4}
    routes["/rat-cham.htm"] = {"file": "news-category.htm", "delay_s": 60}
    routes["/chuyen-huong.htm"] = {"redirect": "http://example.org/cai-cach-hanh-chinh.htm"}
    _write(root, routes, "/html-hong.htm", "html-hong.htm",
           "<html><body><div class='box-stream'><<div class=\"box-stream-item\" data-id=1 <h2><a class=")
    _write(root, routes, "/rss/chet.rss", "chet.rss", '<?xml version="1.0" encoding="utf-8"?>'
           '<rss version="2.0"><channel><title>Tin</title></channel></rss>')
    feed = (root / "news-feed.rss").read_text(encoding="utf-8")
    _write(root, routes, "/rss/sai-ma.rss", "sai-ma.rss",
           feed.replace('encoding="utf-8"', 'encoding="iso-8859-1"'))
    routes["/rss/sai-ma.rss"] = {"file": "sai-ma.rss", "templated": True,
                                 "type": "application/rss+xml; charset=iso-8859-1"}


def province_article(n: int, title: str, body: str) -> str:
    """A Liferay web-content article page: its own selectors and a day-first visible date only."""
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{title} - Cổng TTĐT</title></head>
<body><div id="portlet_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_tin">
<div class="asset-full-content"><h3 class="header-title"><span>{title}</span></h3>
<div class="metadata-entry metadata-publish-date">{n + 1:02d}/10/2025 08:{n:02d}</div>
<div class="journal-content-article"><p class="sapo"><strong>{body[:120]}</strong></p><p>{body}</p></div>
<div class="taglib-ratings">Trực tuyến: {{{{counter}}}} Hôm nay: {n * 113}</div>
</div></div></body></html>"""


def add_province(root: Path, routes: dict[str, object], titles: list[str]) -> None:
    """A Liferay asset publisher list paged by `_cur`, 5 per page, with its articles."""
    per_page = 5
    base = "/web/guest/tin-tuc"
    for start in range(0, len(titles) + per_page, per_page):
        page_no = start // per_page + 1
        items = []
        for n, title in enumerate(titles[start:start + per_page], start=start):
            path = f"{base}/-/asset_publisher/tin/content/bai-{n + 1}"
            items.append(f'<div class="asset-abstract"><h3 class="asset-title">'
                         f'<a href="{path}?redirect=%2Fweb">{title}</a></h3>'
                         f'<span class="metadata-publish-date">{n + 1:02d}/10/2025</span></div>')
            body = f"{title}. Sở Nội vụ đề nghị các sở, ngành hoàn thành báo cáo trước ngày 20/10/2025."
            _write(root, routes, path, f"tinh-bai-{n + 1}.htm", province_article(n, title, body))
            routes[path] = {"file": f"tinh-bai-{n + 1}.htm", "counter": True, "no_validators": True}
        route = f"{base}?_cur={page_no}&_delta={per_page}"
        html = f"<html><body><div class='asset-publisher'>{''.join(items)}</div></body></html>"
        _write(root, routes, route, f"tinh-trang-{page_no}.htm", html)


def build_trap_site(root: Path, province_titles: list[str]) -> None:
    """Add every trap family to the site copied into `root` and rewrite its routes manifest."""
    routes: dict[str, object] = json.loads((root / ROUTES_FILE).read_text(encoding="utf-8"))
    add_vanban_traps(root, routes, (root / "10447-UBND-VX.pdf").read_bytes())
    add_http_traps(root, routes)
    add_province(root, routes, province_titles)
    add_fault_traps(root, routes)
    (root / ROUTES_FILE).write_text(json.dumps(routes, ensure_ascii=False), encoding="utf-8")
