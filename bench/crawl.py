"""Benchmark crawling: a generated local site of 2,000 article pages and 200 PDF attachments.

    python bench/crawl.py [--articles 2000] [--pdfs 200]

Serves the site on loopback (politeness delays off: the sources are `local`), crawls it twice with
the real worker subprocess into a fresh SQLite database, and prints pages per second, the bytes of
the first and second crawl (the second should be under 10% of the first) and the worker's peak
memory, then one final line of JSON with the same figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.config import Config, GeneralConfig
from crawler.crawl import CrawlReport, run_crawl
from crawler.site import demo_sources, serve_site
from crawler.site.server import ROUTES_FILE, SITE_DIR
from crawler.storage.engine import upgrade_database
from tools.build_site import (
    ZONE_ID,
    Article,
    VanbanDoc,
    article_html,
    category_html,
    seed_pdf,
    stream_item,
    vanban_detail_html,
)

VN = dt.timezone(dt.timedelta(hours=7))
PAGE_SIZE = 20
DEADLINE = "trước ngày 30/6/2025"


def task_sentence(n: int) -> str:
    """The task that ends article `n` in a site built with tasks, due DEADLINE."""
    return (f"Thủ tướng yêu cầu Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương hoàn thành báo cáo "
            f"kết quả cải cách hành chính đợt {n + 1} {DEADLINE}.")


def _paragraphs() -> list[str]:
    """Body paragraphs to vary generated articles, taken from the bundled demo articles' text."""
    from crawler.documents import document_from_file

    texts = [document_from_file(path).text for path in sorted(SITE_DIR.glob("article-*.htm"))]
    return [line for text in texts for line in text.splitlines() if len(line) > 80]


def build_news(root: Path, routes: dict[str, object], count: int, paragraphs: list[str],
               tasks: bool = False) -> None:
    """`count` articles, a category page and timelinelist fragments of 20 items; with `tasks` each
    article ends with a task that has a deadline (DEADLINE), for benchmarks that edit deadlines."""
    items = []
    start = dt.datetime(2025, 4, 1, 7, 0, tzinfo=VN)
    for n in range(count):
        published = start + dt.timedelta(minutes=13 * n)
        title = f"Tin cải cách hành chính số {n + 1}: {paragraphs[n % len(paragraphs)][:60]}"
        body = tuple(paragraphs[(n + k) % len(paragraphs)] for k in range(6))
        body += (task_sentence(n),) if tasks else ()
        art = Article(title, body[0], body[1:], "Tổ biên tập", "TIN CẢI CÁCH HÀNH CHÍNH")
        path = f"/tin-{n + 1}-1022504{n:010d}.htm"
        name = article_file(n)
        page = article_html(art, path, published, ("/", "Trang chủ"), None)
        (root / name).write_text(page, encoding="utf-8")
        routes[path] = {"file": name}
        items.append(stream_item(art, path, published, str(n + 1)))
    items.reverse()
    (root / "category.htm").write_text(category_html(items[:PAGE_SIZE]), encoding="utf-8")
    routes["/cai-cach-hanh-chinh.htm"] = {"file": "category.htm"}
    pages = [items[i:i + PAGE_SIZE] for i in range(PAGE_SIZE, len(items), PAGE_SIZE)] + [[]]
    for page_no, page_items in enumerate(pages, start=2):
        name = f"t{page_no}.htm"
        (root / name).write_text("\n".join(page_items), encoding="utf-8")
        routes[f"/timelinelist/{ZONE_ID}/{page_no}.htm"] = {"file": name}


def build_vanban(root: Path, routes: dict[str, object], count: int, paragraphs: list[str]) -> None:
    """A list of `count` documents, their detail pages and one PDF each (with a text layer)."""
    rows = []
    for n in range(count):
        doc = VanbanDoc(number=f"{n + 1}/UBND-VX", issued=dt.date(2025, 10, 1) + dt.timedelta(days=n % 60),
                        kind="Công văn", issuer="Ủy ban nhân dân tỉnh Nghệ An", signer="Hoàng Phú Hiền",
                        summary=f"V/v thực hiện nhiệm vụ cải cách hành chính số {n + 1}")
        detail, pdf = f"/?pageid=27160&docid={n + 1}", f"/files/{n + 1}.pdf"
        (root / f"d{n + 1}.htm").write_text(vanban_detail_html(doc, pdf), encoding="utf-8")
        text = "\n\n".join([f"Số: {doc.number}", doc.summary, *paragraphs[n % len(paragraphs):][:8]])
        seed_pdf(text, root / f"{n + 1}.pdf")
        routes[detail], routes[pdf] = {"file": f"d{n + 1}.htm"}, {"file": f"{n + 1}.pdf"}
        rows.append(f'<tr class="doc-row"><td><span class="code">{doc.number}</span></td><td>'
                    f'<a href="/?pageid=27160&amp;docid={n + 1}">'
                    f'<span class="substract">{doc.summary}</span></a></td></tr>')
    page = f"<html><body><form method='post'><table>{''.join(rows)}</table></form></body></html>"
    (root / "vanban.htm").write_text(page, encoding="utf-8")
    routes["/he-thong-van-ban?classid=2&mode=1"] = {"file": "vanban.htm"}


def article_file(n: int) -> str:
    """The file name of generated article number `n` (from 0)."""
    return f"a{n + 1}.htm"


def build_site(root: Path, articles: int, pdfs: int, tasks: bool = False) -> None:
    """Generate the whole benchmark site with its routes manifest and robots.txt."""
    routes: dict[str, object] = {"/robots.txt": {"file": "robots.txt"}}
    (root / "robots.txt").write_bytes("\ufeffUser-agent: *\nDisallow: /admin/\n".encode())
    paragraphs = _paragraphs()
    build_news(root, routes, articles, paragraphs, tasks)
    build_vanban(root, routes, pdfs, paragraphs)
    (root / ROUTES_FILE).write_text(json.dumps(routes), encoding="utf-8")


def crawl_twice(base_url: str, db_url: str, articles: int) -> tuple[CrawlReport, CrawlReport, float]:
    """Crawl the news and vanban sources twice; return both reports and the first crawl's seconds."""
    news, vanban, _rss = demo_sources(base_url)
    news = dataclasses.replace(news, max_pages=articles // PAGE_SIZE + 2)
    config = Config(general=GeneralConfig(crawl_time_limit_s=1800), sources=(news, vanban))
    started = time.perf_counter()
    first = run_crawl(config, db_url, None, 1800)
    seconds = time.perf_counter() - started
    second = run_crawl(config, db_url, None, 1800)
    return first, second, seconds


def main() -> int:
    """Build, serve, crawl twice, print the figures and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--pdfs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dondoc-bench-") as tmp:
        root = Path(tmp, "www")
        root.mkdir()
        build_site(root, args.articles, args.pdfs)
        db_url = f"sqlite:///{Path(tmp, 'bench.sqlite3')}"
        upgrade_database(db_url)
        site = serve_site(root=root)
        try:
            first, second, seconds = crawl_twice(site.base_url, db_url, args.articles)
        finally:
            site.stop()
    pages = sum(o.pages for o in first.sources)
    figures = {
        "articles": args.articles, "pdfs": args.pdfs, "pages_first": pages,
        "seconds_first": round(seconds, 2), "pages_per_s": round(pages / seconds, 1),
        "bytes_first": first.total_bytes, "bytes_second": second.total_bytes,
        "second_ratio": round(second.total_bytes / max(first.total_bytes, 1), 4),
        "new_documents_first": first.new_documents, "new_documents_second": second.new_documents,
        "peak_worker_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "all_ok": first.ok and second.ok,
    }
    print(f"Trang tải lần 1: {pages} trong {seconds:.1f} s = {figures['pages_per_s']} trang/giây")
    print(f"Dung lượng: lần 1 {first.total_bytes:,} byte, lần 2 {second.total_bytes:,} byte "
          f"({figures['second_ratio']:.2%})")
    print(f"Văn bản mới: lần 1 {first.new_documents}, lần 2 {second.new_documents}")
    print(f"Bộ nhớ đỉnh của tiến trình thu thập: {figures['peak_worker_rss_mb']} MB")
    for outcome in (*first.sources, *second.sources):
        if not outcome.ok:
            print(f"Lỗi nguồn {outcome.name}: {outcome.reason}")
    print(json.dumps(figures))
    return 0 if figures["all_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
