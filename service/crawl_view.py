"""Live crawl progress on a terminal: one rich progress row per source (pages, bytes, documents, errors).

Off a terminal nothing is drawn (no escape codes in logs or pipes): the commands print one summary
line per source when the crawl ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from crawler.crawl_progress import ProgressSink, SourceProgress, human_bytes


def progress_text(progress: SourceProgress) -> str:
    """One source's counters as the row shows them."""
    return (f"{progress.pages} trang, {human_bytes(progress.bytes)}, {progress.documents} văn bản mới, "
            f"{progress.errors} lỗi" + (" — xong" if progress.done else ""))


class ProgressRows:
    """The rows of one rich Progress, one per source, created on the source's first report."""

    def __init__(self, progress: Progress) -> None:
        """No source reported yet."""
        self.progress = progress
        self.rows: dict[str, TaskID] = {}

    def show(self, update: SourceProgress) -> None:
        """Add or update the row of the reporting source."""
        row = self.rows.get(update.name)
        if row is None:
            row = self.rows[update.name] = self.progress.add_task(update.name, total=None, counters="")
        self.progress.update(row, counters=progress_text(update))
        if update.done:
            self.progress.update(row, total=1, completed=1)


@contextmanager
def crawl_progress(console: Console | None = None) -> Iterator[ProgressSink | None]:
    """A sink drawing live rows on a terminal (on stderr) while the block runs, or None off a terminal."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    columns = (SpinnerColumn(finished_text="✓"), TextColumn("Nguồn [bold]{task.description}[/]:"),
               TextColumn("{task.fields[counters]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, refresh_per_second=8) as progress:
        yield ProgressRows(progress).show
