"""All SQL lives in crawler/storage: no other module imports the ORM tables or builds a statement."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORAGE = ROOT / "crawler" / "storage"
STATEMENTS = {"select", "insert", "update", "delete", "text", "func", "and_", "or_", "cast"}


def _modules() -> list[Path]:
    """Every Python module of the product outside crawler/storage."""
    files = [ROOT / "scheduler.py"]
    for package in ("crawler", "notifier", "service", "tools", "web"):
        files += [p for p in (ROOT / package).rglob("*.py") if STORAGE not in p.parents]
    return files


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every `from module import name` in a file, nested imports included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.module or "", alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            for alias in node.names]


def test_no_orm_table_and_no_statement_outside_storage() -> None:
    """Outside crawler/storage nothing imports crawler.storage.schema or sqlalchemy's statement builders."""
    found = []
    for path in _modules():
        for module, name in _imports(path):
            schema = module == "crawler.storage.schema" or (module == "crawler.storage" and name == "schema")
            statement = module == "sqlalchemy" and name in STATEMENTS
            if schema or statement:
                found.append(f"{path.relative_to(ROOT)}: from {module} import {name}")
    assert found == []
