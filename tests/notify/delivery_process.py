"""One outbox delivery run as a process of its own, for the kill test (test_notify_kill.py):

    python tests/notify/delivery_process.py --config dondoc.toml [--recover]

It runs the production pieces the service's "deliver" job runs (create_channels, deliver_pending,
and recover_interrupted as `dondoc run` does at start under its instance lock) and exits, so a test
can SIGKILL a delivery at any moment and restart it. The guarantees it checks are the outbox's (see
notifier/outbox.py): a row is claimed (pending -> sending, committed) before the channel is called
and marked sent (committed) only after the channel accepted it; a message the server accepted whose
answer was lost is sent again (Telegram, Zalo), or resent with the same Message-ID (email).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from collections.abc import Sequence

from crawler.config import Config, load_config
from crawler.storage.engine import make_engine, session_factory
from notifier.channels.factory import create_channels
from notifier.outbox import DeliveryReport, deliver_pending, recover_interrupted

log = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    """The current time, UTC-aware (the clock injected into the channels and the outbox)."""
    return dt.datetime.now(dt.UTC)


def deliver_once(config: Config, *, recover: bool = False) -> DeliveryReport:
    """Deliver every due outbox message once through the configured channels."""
    engine = make_engine(config.database_url())
    sessions = session_factory(engine)
    try:
        channels = create_channels(config, sessions=sessions, clock=utc_now, sleep=time.sleep)
        with sessions() as session:
            if recover:
                log.info("%d interrupted messages made due again", recover_interrupted(session, utc_now()))
            return deliver_pending(session, channels, utc_now(), config=config)
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, run one delivery and print its report; exit 1 if a message failed."""
    parser = argparse.ArgumentParser(prog="delivery_process.py", description=__doc__)
    parser.add_argument("--config", required=True, help="tệp cấu hình dondoc (TOML)")
    parser.add_argument("--recover", action="store_true", help="gửi lại tin dở dang của lần chạy bị dừng")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    report = deliver_once(load_config(args.config), recover=args.recover)
    print(
        f"Đã gửi {report.sent}, thử lại {report.retried}, lỗi {report.failed}, "
        f"giữ lại {report.held}, đang chờ {report.waiting}",
        flush=True,
    )
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
