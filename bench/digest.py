"""Benchmark: build the digests of 1,000 units over 100,000 tasks, on SQLite and on PostgreSQL.

    .venv/bin/python bench/digest.py [--units 1000] [--tasks 100000] [--backends sqlite,postgresql]

Each backend gets a fresh database filled with synthetic tasks (gazetteer units, 1% addressed to
collectives such as "Các bộ, ngành, địa phương", support units, deadlines around the as-of day,
"new" events). The build then runs in a fresh child process, so its time and peak memory (maximum
resident set size) cover only what a digest run does: read all tasks and events once, resolve units
through the gazetteer, and build one digest per unit. PostgreSQL is DONDOC_BENCH_POSTGRES_URL's
server, or a throwaway one started from the local server binaries. The last line is one JSON object
with the figures. Target (issue 17): under 5 s and under 300 MB per backend.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from crawler.extract.units import load_gazetteer
from crawler.storage.engine import make_engine, session_factory
from crawler.storage.schema import Base, Document, Task, TaskEvent

AS_OF = dt.date(2025, 10, 1)
TARGET_S, TARGET_MB = 5.0, 300.0
COLLECTIVES = (
    "Các bộ, ngành, địa phương",
    "Các tỉnh, thành phố trực thuộc Trung ương",
    "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
)
PG_BINARIES = ("initdb", "pg_ctl", "postgres")
BATCH = 5_000


def unit_names(count: int) -> list[str]:
    """`count` unit names: every gazetteer unit and province department, then numbered local offices."""
    gazetteer = load_gazetteer()
    base = [n for n in gazetteer.all_units() if not n.startswith("Các ")]
    departments = [
        f"Sở {d} {p}" for p in sorted(gazetteer.provinces.values()) for d in ("Tài chính", "Nội vụ")
    ]
    names = list(dict.fromkeys([*base, *departments]))
    names += [f"Phòng Kinh tế xã số {i}" for i in range(count - len(names))]
    return names[:count]


def fill(engine: Engine, units: list[str], tasks: int, rng: random.Random) -> None:
    """Create the tables and insert documents, tasks and "new" events in batches (Core inserts)."""
    Base.metadata.create_all(engine)
    created = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
    documents = [
        {"url": f"http://127.0.0.1/vb/{i}", "kind": "directive", "number": f"{i}/UBND-VX", "text": "",
         "text_hash": "0" * 64, "created_at": created}
        for i in range(1, 1001)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Document), documents)
        for start in range(0, tasks, BATCH):
            rows = [_task(i, units, rng) for i in range(start, min(start + BATCH, tasks))]
            conn.execute(insert(Task), rows)
        events = [
            {"task_id": i, "kind": "new", "key": "", "on": AS_OF - dt.timedelta(days=rng.randint(0, 6)),
             "detail": {}}
            for i in range(1, tasks + 1, 20)
        ]  # fmt: skip
        conn.execute(insert(TaskEvent), events)


def _task(i: int, units: list[str], rng: random.Random) -> dict[str, object]:
    """One synthetic task row: a lead (1% a collective), 0-2 support units, a deadline or none."""
    lead = [rng.choice(COLLECTIVES)] if rng.random() < 0.01 else [rng.choice(units)]
    support = rng.sample(units, rng.randint(0, 2))
    due = AS_OF + dt.timedelta(days=rng.randint(-60, 90)) if rng.random() < 0.8 else None
    return {
        "identity": f"{i:064d}",
        "document_id": i % 1000 + 1,
        "action": f"Triển khai nhiệm vụ chuyển đổi số số {i}, báo cáo kết quả về Ủy ban nhân dân tỉnh",
        "lead": lead,
        "support": support,
        "source_refs": [f"{i % 1000 + 1}/UBND-VX"],
        "deadline_raw": f"trước ngày {due:%d/%m/%Y}" if due else None,
        "due": due,
        "precision": "day" if due else "none",
        "status": "done" if rng.random() < 0.1 else None,
        "first_seen": dt.date(2025, 9, 1),
        "last_seen": AS_OF,
    }


def build(url: str, units: list[str]) -> dict[str, float]:
    """Time loading the inputs once and building one digest per unit (the child process's work)."""
    from notifier.planning import digest_for, load_inputs

    engine = make_engine(url)
    started, cpu = time.perf_counter(), time.process_time()
    with session_factory(engine)() as session:
        since = AS_OF - dt.timedelta(days=7)
        inputs = load_inputs(session, since, AS_OF)
        loaded = time.perf_counter()
        built = [digest_for(inputs, u, [u], AS_OF, f"weekly:{AS_OF}", since=since) for u in units]
    finished = time.perf_counter()
    engine.dispose()
    items = sum(d.item_count for d in built if d is not None)
    return {
        "load_s": round(loaded - started, 2),
        "build_s": round(finished - loaded, 2),
        "total_s": round(finished - started, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "digests": float(sum(1 for d in built if d is not None)),
        "items": float(items),
    }


def run_backend(name: str, url: str, units: int, tasks: int) -> dict[str, float]:
    """Fill a fresh database, then run the build in a child process and return its figures."""
    names = unit_names(units)
    engine = make_engine(url)
    started = time.perf_counter()
    fill(engine, names, tasks, random.Random(5))
    engine.dispose()
    print(
        f"[{name}] {tasks} nhiệm vụ, {units} đơn vị: nạp dữ liệu {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    child = subprocess.run(
        [sys.executable, __file__, "--child", url, "--units", str(units)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    figures: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"[{name}] đọc {figures['load_s']} s, dựng {int(figures['digests'])} bản tin {figures['build_s']} s, "
        f"tổng {figures['total_s']} s (CPU {figures['cpu_s']} s), bộ nhớ đỉnh {figures['peak_rss_mb']} MB",
        flush=True,
    )
    return figures


@contextmanager
def postgres_url() -> Iterator[str]:
    """DONDOC_BENCH_POSTGRES_URL, or a throwaway local server (run as `postgres` when we are root)."""
    external = os.environ.get("DONDOC_BENCH_POSTGRES_URL")
    if external:
        yield external
        return
    bindir = next((d for d in _pg_bindirs() if all((d / b).is_file() for b in PG_BINARIES)), None)
    if bindir is None:
        raise SystemExit("không tìm thấy PostgreSQL (initdb, pg_ctl); đặt DONDOC_BENCH_POSTGRES_URL")
    root = Path(tempfile.mkdtemp(prefix="dondoc-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    port, data = _free_port(), root / "data"
    pg_ctl = str(bindir / "pg_ctl")
    try:
        _pg([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--no-locale", "--no-sync"])  # fmt: skip
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -F"
        _pg([pg_ctl, "-D", str(data), "-l", str(root / "server.log"), "-o", options, "-w", "start"])
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


def _pg_bindirs() -> list[Path]:
    """Candidate directories of the PostgreSQL server binaries."""
    found = shutil.which("initdb")
    return [*([Path(found).parent] if found else []), *sorted(Path("/usr/lib/postgresql").glob("*/bin"))]


def _pg(argv: list[str]) -> None:
    """Run a server-control command as the postgres user when needed, failing on error."""
    subprocess.run(_as_postgres(argv), check=True, capture_output=True)


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its commands as `postgres` then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> int:
    """Run the benchmark on each backend and print the figures, the last line as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(build(args.child, unit_names(args.units))))
        return 0
    results: dict[str, dict[str, float]] = {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory(prefix="dondoc-bench-") as folder:
                results["sqlite"] = run_backend(
                    "sqlite", f"sqlite:///{folder}/bench.sqlite3", args.units, args.tasks
                )
        else:
            with postgres_url() as url:
                database = f"bench_{uuid.uuid4().hex[:8]}"
                _create_database(url, database)
                results[backend] = run_backend(
                    backend, url.rsplit("/", 1)[0] + "/" + database, args.units, args.tasks
                )
    ok = all(r["total_s"] < TARGET_S and r["peak_rss_mb"] < TARGET_MB for r in results.values())
    print(json.dumps({"units": args.units, "tasks": args.tasks, "target_met": ok, **results}))
    return 0 if ok else 1


def _create_database(url: str, name: str) -> None:
    """Create an empty database on the server (outside a transaction)."""
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
