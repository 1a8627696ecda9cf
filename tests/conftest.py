"""Shared test fixtures: SQLite and real PostgreSQL databases, and a guard against reaching the network.

PostgreSQL: `postgres_url` gives each test a fresh database on a real PostgreSQL server. The server is
the one DONDOC_TEST_POSTGRES_URL names (the test needs CREATEDB there), else one started for the
session from the PostgreSQL server binaries (initdb, pg_ctl) as the `postgres` system user when the
tests run as root. Without binaries the PostgreSQL tests are skipped, except when CI is set: then
they fail, so CI never goes green without having run them.
"""

from __future__ import annotations

import glob
import ipaddress
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

POSTGRES_URL_ENV = "DONDOC_TEST_POSTGRES_URL"
PG_SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
_database_numbers = itertools.count(1)


# --- network guard ---------------------------------------------------------------------------------


def _is_local_host(host: object) -> bool:
    """Tell whether a socket address host is loopback (or a wildcard used to bind a local server)."""
    if host in (None, "", "localhost", "0.0.0.0", "::"):
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host.lower().endswith(".localhost")


def _address_is_local(sock: socket.socket, address: Any) -> bool:
    """Tell whether a connect() target is a unix socket or a loopback address."""
    if getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX:
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    return _is_local_host(host)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make any attempt to reach a non-loopback address raise, and fail the test even if it was caught.

    Yields the list of refused attempts (a test of the guard itself may inspect and clear it)."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def refuse(what: str) -> None:
        """Record a forbidden network attempt and raise so the caller cannot proceed."""
        attempts.append(what)
        raise RuntimeError(f"tests must not reach the network: {what}")

    def connect(self: socket.socket, address: Any) -> None:
        if not _address_is_local(self, address):
            refuse(f"connect to {address!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _address_is_local(self, address):
            refuse(f"connect_ex to {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local_host(host):
            refuse(f"name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    if attempts:
        pytest.fail("test tried to reach the network: " + "; ".join(attempts))


# --- SQLite ----------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh, empty SQLite file database for one test."""
    return f"sqlite:///{tmp_path / 'dondoc.sqlite3'}"


# --- PostgreSQL ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostgresServer:
    """A reachable PostgreSQL server: where to connect as a user allowed to create databases."""

    host: str
    port: int
    user: str
    password: str
    admin_db: str


def find_pg_bindir() -> Path | None:
    """Directory holding initdb, pg_ctl and postgres: PostgreSQL 15 first, then pg_config, PATH, others."""
    candidates = [Path("/usr/lib/postgresql/15/bin")]
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(result.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for bindir in candidates:
        if all((bindir / name).is_file() for name in PG_SERVER_BINARIES):
            return bindir
    return None


def _free_port() -> int:
    """A currently free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres_user(argv: list[str]) -> list[str]:
    """Prefix a command to run as the `postgres` system user when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *argv]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(map(_shell_quote, argv))]


def _shell_quote(arg: str) -> str:
    """Quote one argument for /bin/sh."""
    return "'" + arg.replace("'", "'\"'\"'") + "'"


def _run(argv: list[str], log: Path) -> None:
    """Run a server-control command, failing with its output (and the server log) when it fails."""
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        server_log = log.read_text(errors="replace") if log.exists() else ""
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}\n{server_log}")


def _missing_postgres(reason: str) -> None:
    """Fail loudly in CI, skip with the reason elsewhere: PostgreSQL is never skipped silently in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (run .ci/install-postgres.sh or set {POSTGRES_URL_ENV})")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session: DONDOC_TEST_POSTGRES_URL's, or a throwaway local one."""
    external = os.environ.get(POSTGRES_URL_ENV)
    if external:
        yield _server_from_url(external)
        return
    bindir = find_pg_bindir()
    if bindir is None:
        _missing_postgres("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found")
        return
    yield from _local_server(bindir)


def _server_from_url(url: str) -> PostgresServer:
    """Describe the server behind a PostgreSQL URL given by the environment."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return PostgresServer(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or "",
        admin_db=parsed.database or "postgres",
    )


def _local_server(bindir: Path) -> Iterator[PostgresServer]:
    """Initialize, start and finally stop and delete a PostgreSQL cluster in a temporary directory."""
    root = Path(tempfile.mkdtemp(prefix="dondoc-pg-"))
    data, log = root / "data", root / "server.log"
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    port = _free_port()
    pg_ctl = str(bindir / "pg_ctl")
    try:
        _run(_as_postgres_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                                "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]), log)
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -F -c full_page_writes=off"
        _run(_as_postgres_user([pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]), log)
        yield PostgresServer(host="127.0.0.1", port=port, user="postgres", password="", admin_db="postgres")
    finally:
        subprocess.run(_as_postgres_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


def _admin_sql(server: PostgresServer, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on the server's admin database."""
    import psycopg

    with psycopg.connect(host=server.host, port=server.port, user=server.user, password=server.password,
                         dbname=server.admin_db, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


def _postgres_url(server: PostgresServer, database: str) -> str:
    """SQLAlchemy URL (psycopg 3 driver) of one database on the server."""
    from sqlalchemy.engine import URL

    url = URL.create("postgresql+psycopg", username=server.user, password=server.password or None,
                     host=server.host, port=server.port, database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"dondoc_test_{os.getpid()}_{next(_database_numbers)}"
    _admin_sql(postgres_server, f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(postgres_server, name)
    finally:
        _admin_sql(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh database, once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def db_session(db_url: str) -> Iterator[Session]:
    """A session on a freshly migrated database, once on SQLite and once on PostgreSQL."""
    from crawler.storage.engine import make_engine, session_factory, upgrade_database

    upgrade_database(db_url)
    engine = make_engine(db_url)
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.close()
        engine.dispose()
