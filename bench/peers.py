"""Benchmark against a peer: dondoc and urlwatch side by side on the generated site of bench/crawl.py.

    python bench/peers.py [--articles 2000] [--pdfs 200] [--no-urlwatch]

Builds the site (every article ends with a task due 30/6/2025), serves it with the request-logging
site server (listen queue 128, requests and bytes counted), and runs each tool three times: a first
crawl, an unchanged re-crawl, and an edited run after 20 new articles were published and the
deadline was moved to 31/7/2025 in 10 known articles (5 among the newest 20, 5 older). urlwatch
2.29 is installed on demand into its own virtual environment under /tmp (one job per URL, as its
users track a site); where it cannot be installed its column is skipped with the reason.

dondoc's first and unchanged runs happen at the real time. Its edited run happens with its clock
moved past the revisit schedule (+31 days): at that time every known document is due (the site's
documents are over a year old: monthly), so the run revalidates all of them, which is what a crawl
costs when it is the first one after a month. Prints the table and a last JSON line with the ratios
(dondoc over urlwatch); the peak memory is that of the processes each run starts (dondoc's crawl
worker and its document pool; its extraction pass runs in this process).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import filecmp
import functools
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from bench.crawl import DEADLINE, PAGE_SIZE, _paragraphs, article_file, build_news, build_site
from crawler.config import Config, GeneralConfig
from crawler.crawl import run_crawl
from crawler.crawl_extract import ExtractionPlan
from crawler.extract.units import load_gazetteer
from crawler.pipeline import extract_pending_documents
from crawler.site import RunningSite, demo_sources, serve_site
from crawler.site.server import ROUTES_FILE
from crawler.storage.engine import make_engine, session_factory, upgrade_database
from crawler.storage.schema import Document, Task, TaskEvent

URLWATCH = "urlwatch==2.29"
VENV = Path(tempfile.gettempdir(), "dondoc-peers-venv")
EDITED = "trước ngày 31/7/2025"
NEW_ARTICLES = 20
MONTH = dt.timedelta(days=31)


@dataclasses.dataclass(frozen=True)
class Run:
    """One tool's run: what the server saw, how long it took, the peak resident memory of the processes
    it started, and which edited URLs it reported."""

    requests: int
    bytes: int
    wall_s: float
    cpu_s: float
    found: frozenset[str] = frozenset()
    new_found: int = 0
    events: int = 0
    peak_mb: float | None = None


class TreeMemory:
    """Samples the summed resident memory of this process's descendants (Linux /proc) every 0.1 s."""

    def __init__(self) -> None:
        """Start sampling in a daemon thread."""
        self.peak_kb = 0
        self.stopped = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def stop(self) -> float | None:
        """Stop; the peak in MB, or None where /proc cannot be read."""
        self.stopped.set()
        return round(self.peak_kb / 1024, 1) if self.peak_kb else None

    def _sample(self) -> None:
        """Keep the largest sum seen."""
        while not self.stopped.wait(0.1):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in _descendants(os.getpid())))


def _descendants(root: int) -> list[int]:
    """The processes under `root`, from /proc's parent links."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss_kb(pid: int) -> int:
    """A process's resident memory in KB (0 once it is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("VmRSS:")), 0)


Outcome = tuple[frozenset[str], int, int]
"""The edited URLs a run noticed, how many new URLs it stored, how many edits became deadline events."""


def measured(site: RunningSite, work: Callable[[], Outcome]) -> Run:
    """Run `work`, counting the server's requests and bytes, the wall time and the CPU of this process
    and its children."""
    requests, sent = site.traffic()
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    memory = TreeMemory()
    started = time.perf_counter()
    found, new_found, events = work()
    wall = time.perf_counter() - started
    peak = memory.stop()
    own2, kids2 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(b - a for a, b in ((own.ru_utime, own2.ru_utime), (own.ru_stime, own2.ru_stime),
                                 (kids.ru_utime, kids2.ru_utime), (kids.ru_stime, kids2.ru_stime)))
    requests2, sent2 = site.traffic()
    return Run(requests2 - requests, sent2 - sent, wall, cpu, found, new_found, events, peak)


def article_url(base: str, n: int) -> str:
    """The URL of generated article `n` (from 0)."""
    return f"{base}/tin-{n + 1}-1022504{n:010d}.htm"


def edit_targets(count: int) -> tuple[list[int], list[int]]:
    """Five articles among the newest 20 and five older ones, spread over the list."""
    return [count - 2 - 4 * k for k in range(5)], [count * k // 6 for k in range(1, 6)]


def publish_and_edit(root: Path, count: int, edits: list[int]) -> None:
    """Publish NEW_ARTICLES more articles (only files whose bytes change are replaced, so unchanged
    pages keep their validators) and move the deadline of the `edits` articles."""
    routes = json.loads((root / ROUTES_FILE).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="dondoc-peers-news-") as tmp:
        build_news(Path(tmp), routes, count + NEW_ARTICLES, _paragraphs(), tasks=True)
        for path in Path(tmp).iterdir():
            target = root / path.name
            if not target.exists() or not filecmp.cmp(path, target, shallow=False):
                shutil.copyfile(path, target)
    (root / ROUTES_FILE).write_text(json.dumps(routes), encoding="utf-8")
    for n in edits:
        page = root / article_file(n)
        page.write_text(page.read_text(encoding="utf-8").replace(DEADLINE, EDITED), encoding="utf-8")


class Dondoc:
    """dondoc's crawl (worker subprocess) plus extraction into the differ's events, on its own database."""

    def __init__(self, base_url: str, db_url: str, articles: int) -> None:
        """The bench's news and document-portal sources, as bench/crawl.py crawls them."""
        news, vanban, _rss = demo_sources(base_url)
        news = dataclasses.replace(news, max_pages=articles // PAGE_SIZE + 2)
        self.config = Config(general=GeneralConfig(crawl_time_limit_s=1800), sources=(news, vanban))
        self.db_url = db_url
        self.ok = True

    def run(self, now: dt.datetime, edited: set[str], new: set[str]) -> Outcome:
        """Crawl at `now` and extract: the edited URLs stored in a new version with the new deadline,
        how many of the `new` URLs were stored, how many edits became 'deadline changed' events (that
        also needs the extractor to have found the task)."""
        report = run_crawl(self.config, self.db_url, None, 1800, now=now,
                           extraction=ExtractionPlan(now.date()))
        self.ok = self.ok and report.ok
        sessions = session_factory(make_engine(self.db_url))
        with sessions() as session:
            extract_pending_documents(session, load_gazetteer(), now.date(), now)
            session.commit()
            moved = session.scalars(
                select(Document.url).join(Task, Task.document_id == Document.id)
                .join(TaskEvent, TaskEvent.task_id == Task.id)
                .where(TaskEvent.kind == "deadline_changed", TaskEvent.key == "2025-06-30>2025-07-31"))
            stored = set(session.scalars(select(Document.url)))
            versions = session.execute(select(Document.url, Document.text).where(Document.version > 1))
            noticed = {url for url, text in versions if EDITED in text}
        return frozenset(noticed & edited), len(stored & new), len(set(moved) & edited)


class Urlwatch:
    """urlwatch with one job per URL of the site, its cache and config in a temporary folder."""

    def __init__(self, exe: Path, folder: Path, urls: list[str]) -> None:
        """Write the jobs and a config reporting on stdout only."""
        self.exe, self.folder = exe, folder
        jobs = "\n---\n".join(f"url: {url}" for url in urls)
        (folder / "urls.yaml").write_text(jobs + "\n", encoding="utf-8")
        (folder / "config.yaml").write_text(
            "display: {new: true, error: true, unchanged: false}\n"
            "report:\n  text: {details: false, footer: false}\n  stdout: {enabled: true, color: false}\n",
            encoding="utf-8")

    def run(self, edited: set[str]) -> Outcome:
        """One urlwatch run; the edited URLs it reported as changed (it never sees new URLs)."""
        env = {**os.environ, "HOME": str(self.folder)}
        result = subprocess.run(
            [str(self.exe), "--urls", str(self.folder / "urls.yaml"), "--config",
             str(self.folder / "config.yaml"), "--hooks", str(self.folder / "hooks.py"),
             "--cache", str(self.folder / "cache.db")],
            capture_output=True, text=True, env=env, check=False)
        changed = set(re.findall(r"CHANGED: (\S+)", result.stdout))
        return frozenset(changed & edited), 0, 0


def urlwatch_exe() -> tuple[Path | None, str]:
    """urlwatch installed into its own virtual environment (once), or None and the reason."""
    exe = VENV / "bin" / "urlwatch"
    if exe.exists():
        return exe, ""
    steps = ([sys.executable, "-m", "venv", str(VENV)],
             [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", URLWATCH])
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = (result.stderr.strip().splitlines() or ["không rõ lỗi"])[-1]
            return None, f"không cài được {URLWATCH} vào {VENV}: {tail}"
    return exe, ""


def row(run: Run | None, new_total: int = 0, edits: tuple[set[str], set[str]] | None = None,
        events: bool = False) -> str:
    """One cell of the table: requests, bytes, wall and CPU, and what an edited run found."""
    if run is None:
        return "bỏ qua"
    cell = f"{run.requests:,} yêu cầu, {run.bytes / 1024:,.0f} KB, {run.wall_s:.1f} s, CPU {run.cpu_s:.1f} s"
    if run.peak_mb is not None:
        cell += f", đỉnh {run.peak_mb:,.0f} MB"
    if edits is not None:
        recent, older = edits
        cell = (f"mới {run.new_found}/{new_total}; sửa {len(run.found & recent)}/5 gần đây, "
                f"{len(run.found & older)}/5 cũ hơn"
                + (f" ({run.events} thành sự kiện đổi thời hạn)" if events else "") + "; " + cell)
    return cell


def ratio(ours: float, theirs: float | None) -> float | None:
    """dondoc over urlwatch, or None without urlwatch."""
    return round(ours / theirs, 4) if theirs else None


def main() -> int:
    """Build, serve, run both tools three times, print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--pdfs", type=int, default=200)
    parser.add_argument("--no-urlwatch", action="store_true", help="chỉ chạy dondoc")
    args = parser.parse_args()
    exe, why = (None, "bỏ qua theo --no-urlwatch") if args.no_urlwatch else urlwatch_exe()
    if exe is None:
        print(f"urlwatch: {why}")
    with tempfile.TemporaryDirectory(prefix="dondoc-peers-") as tmp:
        root = Path(tmp, "www")
        root.mkdir()
        build_site(root, args.articles, args.pdfs, tasks=True)
        db_url = f"sqlite:///{Path(tmp, 'dondoc.sqlite3')}"
        upgrade_database(db_url)
        site = serve_site(root=root)
        try:
            base = site.base_url
            routes = json.loads((root / ROUTES_FILE).read_text(encoding="utf-8"))
            urls = [base + target for target in routes if target != "/robots.txt"]
            recent, older = edit_targets(args.articles)
            edited = {article_url(base, n) for n in recent + older}
            new = {article_url(base, n) for n in range(args.articles, args.articles + NEW_ARTICLES)}
            dondoc = Dondoc(base, db_url, args.articles)
            watch = Urlwatch(exe, Path(tmp), urls) if exe else None
            start = dt.datetime.now(dt.UTC)
            runs: dict[str, list[Run]] = {"dondoc": [], "urlwatch": []}
            for phase in ("first", "unchanged", "edited"):
                if phase == "edited":
                    publish_and_edit(root, args.articles, recent + older)
                at = start + MONTH if phase == "edited" else dt.datetime.now(dt.UTC)
                runs["dondoc"].append(measured(site, functools.partial(dondoc.run, at, edited, new)))
                if watch is not None:
                    runs["urlwatch"].append(measured(site, functools.partial(watch.run, edited)))
        finally:
            site.stop()
    ours = runs["dondoc"]
    theirs: list[Run | None] = [*runs["urlwatch"]] or [None, None, None]
    sets = ({article_url(base, n) for n in recent}, {article_url(base, n) for n in older})
    print(f"Trang: {len(urls):,} URL ({args.articles} bài, {args.pdfs} văn bản có PDF)")
    print("| lần chạy | dondoc | urlwatch 2.29 |\n|---|---|---|")
    print(f"| lần đầu | {row(ours[0])} | {row(theirs[0])} |")
    print(f"| lặp lại, không đổi | {row(ours[1])} | {row(theirs[1])} |")
    print(f"| {NEW_ARTICLES} bài mới, sửa thời hạn 10 bài (đồng hồ dondoc +31 ngày) | "
          f"{row(ours[2], NEW_ARTICLES, sets, events=True)} | {row(theirs[2], NEW_ARTICLES, sets)} |")
    figures = {
        "recrawl_requests_ratio": ratio(ours[1].requests, theirs[1].requests if theirs[1] else None),
        "edits_found": len(ours[2].found), "edits_total": len(edited),
        "edits_bytes_ratio": ratio(ours[2].bytes, theirs[2].bytes if theirs[2] else None),
        "first_crawl_wall_ratio": ratio(ours[0].wall_s, theirs[0].wall_s if theirs[0] else None),
        "first_crawl_cpu_s": round(ours[0].cpu_s, 1), "first_crawl_peak_mb": ours[0].peak_mb,
        "urlwatch_edits_found": len(theirs[2].found) if theirs[2] else None,
        "new_found": ours[2].new_found, "deadline_events": ours[2].events, "dondoc_ok": dondoc.ok,
    }
    print(json.dumps(figures))
    return 0 if dondoc.ok else 1


if __name__ == "__main__":
    sys.exit(main())
