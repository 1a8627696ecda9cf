"""Soak the scheduler: `dondoc run` crawling the bundled local site until 200 scheduled crawls are done.

    python bench/soak.py [--crawls 200] [--interval 1] [--sample 5]

Serves the demo site on loopback, writes a config whose three demo sources are crawled every
`--interval` seconds (each crawl is a subprocess, so runs follow one another per source) with the
digest and delivery jobs running too, starts `dondoc run` as a real subprocess and prints the
service's resident memory (VmRSS of the service process, crawls excluded) every `--sample` seconds
until the crawl jobs have run `--crawls` times. Then it stops the service with SIGTERM and prints
one final line of JSON with the same figures. Flat memory: `rss_growth_mb` after the warm-up stays
within a few MB whatever `--crawls` is.
"""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "service"))

from service_helpers import (  # noqa: E402
    BKHCN_RECIPIENT,
    OPERATOR_RECIPIENT,
    dondoc_env,
    source_tables,
    write_config,
)

from crawler.site import demo_sources, serve_site  # noqa: E402

WARM_UP_CRAWLS = 15


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def crawls_done(db: Path) -> int:
    """How many crawl job runs the service has recorded (0 before its database exists)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            row = connection.execute("SELECT coalesce(sum(runs), 0) FROM service_jobs "
                                     "WHERE job_id LIKE 'crawl:%'").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0])


def soak(crawls: int, interval_s: int, sample_s: float, folder: Path) -> dict[str, object]:
    """Run the service until `crawls` crawl runs are recorded, sampling its memory; return the figures."""
    site = serve_site()
    names = [source.name for source in demo_sources(site.base_url)]
    config = write_config(
        folder, source_tables(site.base_url, names, {"interval_seconds": interval_s}),
        schedules={"daily_digest": "*/20 * * * * *", "delivery_interval_seconds": 5},
        recipients=BKHCN_RECIPIENT + OPERATOR_RECIPIENT,
    )
    log = (folder / "service.log").open("w", encoding="utf-8")
    service = subprocess.Popen([sys.executable, "-m", "scheduler", "--config", str(config), "run"],
                               cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=dondoc_env())
    started = time.monotonic()
    samples: list[tuple[float, int, float]] = []
    try:
        done = 0
        while done < crawls:
            if service.poll() is not None:
                raise SystemExit(f"dondoc run exited with {service.returncode}; see {log.name}")
            time.sleep(sample_s)
            done = crawls_done(folder / "dondoc.sqlite3")
            samples.append((round(time.monotonic() - started, 1), done, round(rss_mb(service.pid), 1)))
            print(f"t={samples[-1][0]:>7.1f} s  crawls={done:>4}  rss={samples[-1][2]:>6.1f} MB", flush=True)
    finally:
        service.send_signal(signal.SIGTERM)
        exit_code = service.wait(timeout=300)
        site.stop()
    return figures(samples, crawls, exit_code, time.monotonic() - started)


def figures(samples: list[tuple[float, int, float]], crawls: int, exit_code: int,
            duration_s: float) -> dict[str, object]:
    """The soak's figures: memory at warm-up, at the end, the peak and the growth in between."""
    warm = next((s for s in samples if s[1] >= WARM_UP_CRAWLS), samples[0])
    end = samples[-1]
    return {
        "bench": "soak", "crawls": end[1], "target_crawls": crawls, "duration_s": round(duration_s, 1),
        "rss_warm_mb": warm[2], "rss_end_mb": end[2], "rss_max_mb": max(s[2] for s in samples),
        "rss_growth_mb": round(end[2] - warm[2], 1), "exit_code": exit_code,
    }


def main() -> None:
    """Parse the options, run the soak in a temporary folder, print the readable and JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crawls", type=int, default=200)
    parser.add_argument("--interval", type=int, default=1, help="seconds between crawls of a source")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between memory samples")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dondoc-soak-") as tmp:
        result = soak(args.crawls, args.interval, args.sample, Path(tmp))
    print(f"\n{result['crawls']} crawls in {result['duration_s']} s; service memory: "
          f"{result['rss_warm_mb']} MB after warm-up, {result['rss_end_mb']} MB at the end, "
          f"peak {result['rss_max_mb']} MB, growth {result['rss_growth_mb']} MB; "
          f"exit code {result['exit_code']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
