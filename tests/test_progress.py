"""Live crawl progress: the worker reports per event, `dondoc crawl` draws it on a terminal and prints
one plain summary line per source elsewhere."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.config import Config
from crawler.crawl import run_crawl
from crawler.crawl_progress import ProgressReader, ProgressWriter, SourceProgress, SteadyLog
from crawler.site import RunningSite, demo_sources, serve_site
from crawler.storage.engine import upgrade_database

SERVICE_HELPERS = Path(__file__).resolve().parent / "service"
sys.path.insert(0, str(SERVICE_HELPERS))

from service_helpers import dondoc_env, run_dondoc, source_tables  # noqa: E402

DEMO_NAMES = ("demo-baochinhphu", "demo-vanban-chinhphu", "demo-baochinhphu-rss")
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\r")
LIVE_ROW = re.compile(r"Nguồn (\S+):\s+(\d+) trang, [\d.]+ [KM]?B, (\d+) văn bản mới, (\d+) lỗi")
SUMMARY = re.compile(r"^Nguồn (\S+): (\d+) trang \([\d.]+ [KM]?B\), (\d+) văn bản mới", re.MULTILINE)


@pytest.fixture(scope="module")
def site() -> Iterator[RunningSite]:
    """The bundled demo site on loopback."""
    running = serve_site()
    yield running
    running.stop()


def crawl_config(folder: Path, base_url: str) -> Path:
    """A dondoc.toml crawling the three demo sources of the local site into a fresh database."""
    config = folder / "dondoc.toml"
    tables = source_tables(base_url, DEMO_NAMES, {})
    config.write_text('[general]\ndatabase = "db.sqlite3"\n\n' + "\n".join(tables) + "\n", encoding="utf-8")
    return config


def run_in_terminal(config: Path, *args: str) -> tuple[int, str]:
    """Run `dondoc --config CONFIG ARGS...` on a 160-column pseudo-terminal: exit code and what it
    showed, escape codes removed, in the order it was written."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    env = {k: v for k, v in dondoc_env(TERM="xterm-256color").items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS")}
    process = subprocess.Popen([sys.executable, "-m", "scheduler", "--config", str(config), *args],
                               cwd=config.parent, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's last writer has gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    code = process.wait(timeout=600)
    return code, ESCAPES.sub(b"", b"".join(chunks)).decode("utf-8", errors="replace")


@pytest.mark.slow
def test_crawl_on_a_terminal_shows_live_progress_before_the_summary(
    site: RunningSite, tmp_path: Path
) -> None:
    """On a terminal every source gets a live row while the crawl runs, and some row shows a count
    below the source's final one: progress arrives as the worker goes, before the summary lines."""
    code, shown = run_in_terminal(crawl_config(tmp_path, site.base_url), "crawl", "--as-of", "2025-10-20")
    assert code == 0, shown[-2000:]
    summaries = {m.group(1): (int(m.group(2)), m.start()) for m in SUMMARY.finditer(shown)}
    assert set(summaries) == set(DEMO_NAMES), shown[-2000:]
    first_summary = min(start for _pages, start in summaries.values())
    live = [(m.group(1), int(m.group(2))) for m in LIVE_ROW.finditer(shown, 0, first_summary)]
    assert {name for name, _pages in live} == set(DEMO_NAMES)
    assert any(pages < summaries[name][0] for name, pages in live), live
    assert shown.index("Trích xuất:") > first_summary


@pytest.mark.slow
def test_crawl_off_a_terminal_prints_one_plain_line_per_source(site: RunningSite, tmp_path: Path) -> None:
    """Piped, `dondoc crawl` prints exactly one summary line per source and no escape code at all."""
    result = run_dondoc(crawl_config(tmp_path, site.base_url), "crawl", "--as-of", "2025-10-20")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "\x1b" not in result.stdout + result.stderr
    names = [m.group(1) for m in SUMMARY.finditer(result.stdout)]
    assert sorted(names) == sorted(DEMO_NAMES)
    assert not LIVE_ROW.search(result.stdout + result.stderr)


@pytest.mark.slow
def test_worker_reports_every_event_and_ends_with_the_outcome(site: RunningSite, tmp_path: Path) -> None:
    """The sink sees each source's counters grow while it is crawled (not only its end) and its last
    snapshot, marked done, equals the source's outcome."""
    url = f"sqlite:///{tmp_path / 'crawl.sqlite3'}"
    upgrade_database(url)
    seen: list[SourceProgress] = []
    report = run_crawl(Config(sources=demo_sources(site.base_url)), url, None, 120, progress=seen.append)
    assert report.ok, report
    for outcome in report.sources:
        mine = [p for p in seen if p.name == outcome.name]
        pages = [p.pages for p in mine]
        assert pages == sorted(pages) and pages[0] < outcome.pages
        assert mine[-1].done and [p.done for p in mine].count(True) == 1
        assert (mine[-1].pages, mine[-1].bytes, mine[-1].documents) == (
            outcome.pages, outcome.bytes, outcome.new_documents)


def test_reader_passes_only_complete_lines_once(tmp_path: Path) -> None:
    """A line the worker is still writing waits for its end; every line reaches the sink exactly once."""
    path = tmp_path / "progress.jsonl"
    seen: list[SourceProgress] = []
    reader = ProgressReader(path, seen.append)
    reader.poll()
    writer = ProgressWriter(path)
    writer.write(SourceProgress("a", pages=1, bytes=10))
    with path.open("a", encoding="utf-8") as stream:
        stream.write('{"name": "a", "pages": 2')
    reader.poll()
    assert seen == [SourceProgress("a", pages=1, bytes=10)]
    with path.open("a", encoding="utf-8") as stream:
        stream.write(', "bytes": 20, "documents": 1, "errors": 0, "done": true}\n')
    reader.poll()
    reader.poll()
    writer.close()
    assert seen == [SourceProgress("a", 1, 10), SourceProgress("a", 2, 20, 1, 0, True)]


def test_service_log_is_steady_per_source_and_keeps_each_end() -> None:
    """The service logs a source's first snapshot, then at most one per interval, and always its end."""
    lines: list[str] = []
    now = [0.0]
    steady = SteadyLog(lines.append, 60.0, lambda: now[0])
    for second, pages in ((0, 1), (10, 5), (59, 9), (60, 12), (61, 13)):
        now[0] = float(second)
        steady(SourceProgress("a", pages=pages))
        steady(SourceProgress("b", pages=pages))
    steady(SourceProgress("a", pages=14, done=True))
    mine = [line for line in lines if line.startswith("crawl progress: a:")]
    assert [line.split(": ")[2].split(" ")[0] for line in mine] == ["1", "12", "14"]
    assert mine[-1].endswith(", done") and len(lines) == 5
