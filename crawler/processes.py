"""The one child-process runner: a command in a process group of its own, killed as a group at its
time limit, and the registry through which a stopping service signals the groups in flight.

Every crawl runs as exactly one such child (`python -m crawler.crawl_worker`); its PDF pool
processes inherit its group, so one `killpg` stops all of them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

TICK_S = 0.2


@dataclass(frozen=True)
class ChildExit:
    """How a child ended: its return code and whether it was killed at its time limit."""

    returncode: int
    killed: bool


class ChildGroups:
    """The process groups of the children in flight (thread-safe), for a service that must stop them."""

    def __init__(self) -> None:
        """No child yet."""
        self._lock = threading.Lock()
        self._groups: set[int] = set()

    @contextmanager
    def holding(self, group: int) -> Iterator[None]:
        """Register `group` while the block runs."""
        with self._lock:
            self._groups.add(group)
        try:
            yield
        finally:
            with self._lock:
                self._groups.discard(group)

    def groups(self) -> list[int]:
        """The groups in flight now."""
        with self._lock:
            return sorted(self._groups)


def run_in_group(command: Sequence[str], log: Path, limit_s: float,
                 children: ChildGroups | None = None, on_tick: Callable[[], None] | None = None) -> ChildExit:
    """Run `command` (output to `log`) in a new session, calling `on_tick` about every TICK_S while it
    runs (and once at its end); at `limit_s` kill its whole group and reap it."""
    with log.open("w", encoding="utf-8") as stream, subprocess.Popen(
        list(command), stdout=stream, stderr=subprocess.STDOUT, start_new_session=True
    ) as process, (children or ChildGroups()).holding(process.pid):
        try:
            return ChildExit(_wait_ticking(process, limit_s, on_tick), killed=False)
        except subprocess.TimeoutExpired:
            signal_groups([process.pid], signal.SIGKILL)
            returncode = process.wait()
            groups_gone([process.pid], 10.0)
            return ChildExit(returncode, killed=True)
        finally:
            if on_tick is not None:
                on_tick()


def _wait_ticking(process: subprocess.Popen[bytes], limit_s: float,
                  on_tick: Callable[[], None] | None) -> int:
    """The process's return code, calling `on_tick` between waits; TimeoutExpired past `limit_s`."""
    if on_tick is None:
        return process.wait(timeout=limit_s)
    deadline = time.monotonic() + limit_s
    while True:
        try:
            return process.wait(timeout=max(min(TICK_S, deadline - time.monotonic()), 0.0))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                raise
            on_tick()


def signal_groups(groups: Sequence[int], signum: signal.Signals) -> None:
    """Send a signal to each process group that still exists."""
    for group in groups:
        with suppress(ProcessLookupError):
            os.killpg(group, signum)


def group_alive(group: int) -> bool:
    """True while some process of the group still exists."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_groups(groups: Sequence[int], grace_s: float) -> None:
    """Give stopped process groups `grace_s` to exit, then kill what is left (e.g. a Scrapy worker
    shutting down "gracefully" on a site that never answers) and wait for it."""
    if not groups_gone(groups, grace_s):
        signal_groups([g for g in groups if group_alive(g)], signal.SIGKILL)
        groups_gone(groups, grace_s)


def groups_gone(groups: Sequence[int], limit_s: float) -> bool:
    """Wait up to `limit_s` for every process group to be gone; True when they are."""
    deadline = time.monotonic() + limit_s
    while any(group_alive(g) for g in groups):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True
