"""Fixtures of the crawl tests: the bundled site and the trap site served on loopback, editable copies,
fresh databases."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.site import RunningSite, serve_site
from crawler.site.server import SITE_DIR
from crawler.storage.engine import upgrade_database

from .trapsite import PROVINCE_TITLES, build_trap_site


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A migrated SQLite database file in the test's temporary directory."""
    url = f"sqlite:///{tmp_path / 'crawl.sqlite3'}"
    upgrade_database(url)
    return url


@pytest.fixture(scope="module")
def demo_site() -> Iterator[RunningSite]:
    """The bundled demo site, served unchanged for a whole test module."""
    site = serve_site()
    yield site
    site.stop()


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """An editable copy of the bundled site's files."""
    target = tmp_path / "www"
    shutil.copytree(SITE_DIR, target)
    return target


@pytest.fixture
def copied_site(site_dir: Path) -> Iterator[RunningSite]:
    """The editable copy, served on loopback."""
    site = serve_site(root=site_dir)
    yield site
    site.stop()


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening (an unreachable site)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def trap_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSite]:
    """The bundled site plus every trap, served on loopback for the whole module."""
    root = tmp_path_factory.mktemp("traps") / "www"
    shutil.copytree(SITE_DIR, root)
    build_trap_site(root, PROVINCE_TITLES)
    site = serve_site(root=root)
    yield site
    site.stop()
