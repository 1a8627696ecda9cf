"""Helpers of the service tests: a dondoc.toml for the bundled local site, free ports, subprocesses."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from crawler.site import demo_sources

REPO = Path(__file__).resolve().parents[2]


def toml_value(value: Any) -> str:
    """A TOML literal for a string, number, boolean, list or table (inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


def source_tables(base_url: str, names: Sequence[str], extra: Mapping[str, Any]) -> list[str]:
    """[[sources]] tables for the named demo sources of the local site, with `extra` keys."""
    lines: list[str] = []
    for source in (s for s in demo_sources(base_url) if s.name in names):
        fields = {
            "name": source.name, "family": source.family, "start_url": source.start_url,
            "allowed_domains": list(source.allowed_domains), "local": True, "max_pages": source.max_pages,
            **extra, "options": source.options,
        }
        lines += ["[[sources]]", *(f"{key} = {toml_value(value)}" for key, value in fields.items()), ""]
    return lines


def write_config(folder: Path, sources: Sequence[str], *, schedules: Mapping[str, Any] | None = None,
                 service: Mapping[str, Any] | None = None, general: Mapping[str, Any] | None = None,
                 recipients: str = "", tables: str = "") -> Path:
    """Write dondoc.toml in `folder` with the given source tables, schedules and service settings,
    and any further `tables` (TOML text) at the end."""
    sections = {
        "general": {"database": "dondoc.sqlite3", "output_dir": "out", "crawl_time_limit_s": 120,
                    "operator_recipient": "Tổ vận hành", **(general or {})},
        "schedules": {"daily_digest": "", "weekly_digest": "", "bulletin_draft": "", "housekeeping": "",
                      "delivery_interval_seconds": 0, **(schedules or {})},
        "service": {"health_port": 0, "stop_timeout_s": 30, **(service or {})},
    }
    lines: list[str] = []
    for name, table in sections.items():
        lines += [f"[{name}]", *(f"{k} = {toml_value(v)}" for k, v in table.items()), ""]
    lines += list(sources)
    lines.append(recipients or OPERATOR_RECIPIENT)
    lines.append(tables)
    path = folder / "dondoc.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


OPERATOR_RECIPIENT = """
[[recipients]]
name = "Tổ vận hành"
units = []
channels = [{ type = "file", address = "operator.txt" }]
"""

BKHCN_RECIPIENT = """
[[recipients]]
name = "Văn phòng Bộ Khoa học và Công nghệ"
units = ["Bộ Khoa học và Công nghệ"]
digests = ["daily"]
channels = [{ type = "file", address = "bkhcn.txt" }]
"""


def free_port() -> int:
    """A loopback TCP port that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dondoc_env(**extra: str) -> dict[str, str]:
    """The environment of a dondoc subprocess: no database URL override unless given."""
    env = {k: v for k, v in os.environ.items() if k not in ("DONDOC_DATABASE_URL", "DONDOC_CONFIG")}
    env.update(extra)
    return env


def start_dondoc(config: Path, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """Start `dondoc --config CONFIG ARGS...` as a real subprocess, logs to a file next to the config."""
    log = (config.parent / f"dondoc-{time.monotonic_ns()}.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler", "--config", str(config), *args],
        cwd=config.parent, stdout=log, stderr=subprocess.STDOUT, text=True,
        env=dict(env) if env is not None else dondoc_env(),
    )
    process.log_path = Path(log.name)  # type: ignore[attr-defined]
    return process


def run_dondoc(config: Path, *args: str, timeout: float = 600,
               env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `dondoc --config CONFIG ARGS...` to completion and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "scheduler", "--config", str(config), *args],
        cwd=config.parent, capture_output=True, text=True, timeout=timeout, check=False,
        env=dict(env) if env is not None else dondoc_env(),
    )


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str] | None = None,
               what: str = "condition", limit_s: float = 240) -> None:
    """Poll `condition` until it holds; fail at once if `process` died, or after a generous safety limit
    (a net against hangs, not a timed assertion)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if process is not None and process.poll() is not None:
            log = Path(process.log_path).read_text(encoding="utf-8")  # type: ignore[attr-defined]
            raise AssertionError(f"dondoc exited ({process.returncode}) before {what}:\n{log[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.3)
