"""Process groups of crawl subprocesses: find them through /proc, signal them, reap them, and kill
a child at its time limit."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path


def signal_groups(groups: Sequence[int], signum: signal.Signals) -> None:
    """Send a signal to each process group that still exists."""
    for group in groups:
        with suppress(ProcessLookupError):
            os.killpg(group, signum)


def tree_groups(root: int) -> set[int]:
    """The process groups of `root` and of all its descendants (Linux /proc): what must be signalled
    to stop a crawl whose worker runs in a process group of its own."""
    children: dict[int, list[int]] = {}
    group_of: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid, parent, group = int(entry.name), int(fields[1]), int(fields[2])
        children.setdefault(parent, []).append(pid)
        group_of[pid] = group
    found: set[int] = {root}
    pending = [root]
    while pending:
        current = pending.pop()
        found.add(group_of.get(current, root))
        pending += children.get(current, [])
    return found


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
    shutting down "gracefully" on a site that never answers) and wait for it, so no crawl outlives
    the service."""
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


def wait_child(child: subprocess.Popen[str], limit_s: int) -> tuple[str, bool]:
    """Collect a child's output; at the time limit kill its whole process group. (output, killed)."""
    try:
        output, _ = child.communicate(timeout=limit_s)
        return output or "", False
    except subprocess.TimeoutExpired:
        signal_groups(sorted(tree_groups(child.pid)), signal.SIGKILL)
        output, _ = child.communicate()
        return output or "", True
