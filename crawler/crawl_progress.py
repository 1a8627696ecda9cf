"""Live crawl progress: the worker appends one JSON line per event (a response, a stored item, the end
of a source) to a progress file; the parent reads the new lines while it waits for the worker.

The file is the channel because the worker's stdout is its log: a line is a snapshot of one source's
counters, so a reader that skips lines (or starts late) still shows the right figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class SourceProgress:
    """One source's counters so far: pages, bytes received, new documents, errors; done at its end."""

    name: str
    pages: int = 0
    bytes: int = 0
    documents: int = 0
    errors: int = 0
    done: bool = False


ProgressSink = Callable[[SourceProgress], None]


def human_bytes(count: int) -> str:
    """A byte count in B, KB or MB (one decimal above a kilobyte)."""
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count / (1024 * 1024):.1f} MB"


class SteadyLog:
    """A sink for the service: logs a source's counters at most once per `every_s` (and its end), so
    a long crawl shows it is alive without a line per page."""

    def __init__(self, log: Callable[[str], None], every_s: float, clock: Callable[[], float]) -> None:
        """Log through `log`, reading the time from `clock` (seconds, monotonic)."""
        self.log, self.every_s, self.clock = log, every_s, clock
        self._last: dict[str, float] = {}

    def __call__(self, progress: SourceProgress) -> None:
        """Log this snapshot if the source's last line is `every_s` old, or if the source is done."""
        now = self.clock()
        last = self._last.get(progress.name)
        if progress.done or last is None or now - last >= self.every_s:
            self._last[progress.name] = now
            self.log(f"crawl progress: {progress.name}: {progress.pages} pages, "
                     f"{human_bytes(progress.bytes)}, {progress.documents} new documents, "
                     f"{progress.errors} errors" + (", done" if progress.done else ""))


class ProgressWriter:
    """The worker's end: one JSON line per event, flushed at once so the parent sees it as it goes."""

    def __init__(self, path: Path) -> None:
        """Open the progress file for appending."""
        self._stream: IO[str] = path.open("a", encoding="utf-8")

    def write(self, progress: SourceProgress) -> None:
        """Append and flush one snapshot."""
        self._stream.write(json.dumps(asdict(progress), ensure_ascii=False) + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Close the file."""
        self._stream.close()


class ProgressReader:
    """The parent's end: hands each complete new line of the progress file to a sink."""

    def __init__(self, path: Path, sink: ProgressSink) -> None:
        """Read `path` from its start; a missing file is no progress yet."""
        self.path, self.sink = path, sink
        self._offset = 0

    def poll(self) -> None:
        """Pass on the snapshots written since the last poll (a partly written line waits)."""
        if not self.path.exists():
            return
        with self.path.open("rb") as stream:
            stream.seek(self._offset)
            chunk = stream.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        for line in complete.splitlines():
            if line.strip():
                self.sink(SourceProgress(**json.loads(line)))
