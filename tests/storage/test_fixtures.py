"""The test harness itself: the network guard and the PostgreSQL policy for CI."""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
from pathlib import Path
from types import ModuleType

import pytest


def _root_conftest() -> ModuleType:
    """Load tests/conftest.py by path (other folders have their own `conftest` module)."""
    name = "dondoc_root_conftest"
    spec = importlib.util.spec_from_file_location(name, Path(__file__).parents[1] / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_network_guard_refuses_remote_addresses_and_names(no_network: list[str]) -> None:
    """Connecting to a non-loopback address or resolving a remote name raises and is recorded."""
    with pytest.raises(RuntimeError, match="must not reach the network"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with pytest.raises(RuntimeError, match="must not reach the network"):
        socket.getaddrinfo("example.com", 443)
    assert len(no_network) == 2
    no_network.clear()  # the attempts were this test's point: do not fail it at teardown


def test_network_guard_allows_loopback() -> None:
    """A local server on 127.0.0.1 stays reachable."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        accepted = threading.Thread(target=lambda: server.accept()[0].close())
        accepted.start()
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        accepted.join(5)


def test_missing_postgres_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without PostgreSQL, CI fails loudly while a developer machine skips with the reason."""
    missing_postgres = _root_conftest()._missing_postgres
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI"):
        missing_postgres("no binaries")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no binaries"):
        missing_postgres("no binaries")
