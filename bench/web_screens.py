"""Screenshots of the web application at 1280 and 390 px: dashboard, a unit page, a task page, its
document (Văn bản) page, the operator's page, and the bulletin list and a new draft drafted from it.

Usage: python bench/web_screens.py --db demo.sqlite3 [--as-of 2025-10-01] [--out DIR]
(make the database with `dondoc demo --db demo.sqlite3`). An editor account is added to a copy of
the database, the application is served on a free loopback port, and headless Chromium from the
distribution takes full-page PNGs; each page's horizontal overflow is printed, since a phone must
not scroll sideways.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.config import Config, GeneralConfig
from crawler.storage.engine import make_engine, session_factory, upgrade_database
from crawler.storage.webaccess import add_user
from service.http_server import start_server
from web.app import create_app
from web.auth import hash_password

WIDTHS = (1280, 390)
OPERATOR, EDITOR, PASSWORD = "anh-chup", "bien-tap-chup", "mat-khau-chup-anh"
PAGES = 7


def log_in(page: Any, base: str, name: str = OPERATOR) -> None:
    """Log in as one of the screenshot accounts."""
    page.context.clear_cookies()
    page.goto(f"{base}/dang-nhap")
    page.fill("input[name=ten]", name)
    page.fill("input[name=mat_khau]", PASSWORD)
    page.click("button:has-text('Đăng nhập')")


def shoot(page: Any, url: str, path: Path) -> None:
    """Open a page, save a full-page PNG and print whether it overflows sideways."""
    page.goto(url)
    page.screenshot(path=str(path), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    print(f"{path.name}: {'tràn ngang ' + str(overflow) + ' px' if overflow > 0 else 'không tràn ngang'}")


def main() -> int:
    """Take the screenshots."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 10, 1))
    parser.add_argument("--out", type=Path, default=Path("web-screens"))
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("Lỗi: chưa cài Chromium (bash .ci/install-chromium.sh)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "web.sqlite3"
        shutil.copy(args.db, copy)
        url = f"sqlite:///{copy}"
        upgrade_database(url)
        engine = make_engine(url)
        with session_factory(engine)() as session:
            for name, role in ((OPERATOR, "operator"), (EDITOR, "editor")):
                add_user(session, name, role, hash_password(PASSWORD), dt.datetime.now(dt.UTC))
            session.commit()
        config = Config(general=GeneralConfig(output_dir=str(Path(tmp) / "out")))
        app = create_app(engine, "bi-mat-chup-anh", as_of=args.as_of, config=config)
        server = start_server(app, "127.0.0.1", 0, what="web")
        base = f"http://127.0.0.1:{server.port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
                for width in WIDTHS:
                    page = browser.new_page(viewport={"width": width, "height": 900}, locale="vi-VN")
                    log_in(page, base)
                    shoot(page, f"{base}/", args.out / f"tong-quan-{width}.png")
                    unit_link = page.locator("svg.chart a").first.get_attribute("href")
                    shoot(page, base + (unit_link or "/"), args.out / f"don-vi-{width}.png")
                    task = page.locator("ul.tasks a").first.get_attribute("href")
                    shoot(page, base + (task or "/"), args.out / f"nhiem-vu-{width}.png")
                    document = page.locator("a[href^='/van-ban/']").first.get_attribute("href")
                    shoot(page, base + (document or "/"), args.out / f"van-ban-{width}.png")
                    shoot(page, f"{base}/van-hanh", args.out / f"van-hanh-{width}.png")
                    log_in(page, base, EDITOR)
                    shoot(page, f"{base}/ban-tin", args.out / f"ban-tin-{width}.png")
                    page.click("button:has-text('Soạn bản nháp mới')")
                    shoot(page, page.url, args.out / f"ban-nhap-{width}.png")
                    page.close()
                browser.close()
        finally:
            server.stop()
            engine.dispose()
    print(f"Đã lưu {PAGES * len(WIDTHS)} ảnh vào {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
