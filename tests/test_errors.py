"""The one error tree: every dondoc exception lives in crawler/errors.py, and its docstring maps each
class to what its catcher does."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import crawler.errors as errors

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("crawler", "notifier", "service", "tools")


def _error_classes() -> list[type[BaseException]]:
    """The exception classes crawler.errors defines."""
    return [
        value
        for value in vars(errors).values()
        if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == errors.__name__
    ]


def test_every_error_is_a_dondoc_error_with_its_action_in_the_tree() -> None:
    """Each class derives from DondocError and has a line in the docstring's tree saying what to do."""
    doc = errors.__doc__ or ""
    classes = _error_classes()
    assert len(classes) >= 14
    for cls in classes:
        assert issubclass(cls, errors.DondocError), cls
        line = re.search(rf"[├└]── {cls.__name__}\s+(\S.*)$", doc, re.MULTILINE)
        assert cls is errors.DondocError or line is not None, f"{cls.__name__} is not in the tree"
    assert set(re.findall(r"── (\w+Error)", doc)) == {c.__name__ for c in classes} - {"DondocError"}


def test_the_tree_nests_as_the_classes_do() -> None:
    """A class drawn under another in the docstring is its subclass."""
    parents: dict[int, str] = {}
    for line in (errors.__doc__ or "").splitlines():
        found = re.search(r"(\w+Error)", line)
        if not found or not re.match(r"^\s*[│ ]*(?:[├└]── )?\w+Error", line):
            continue
        depth = line.find(found.group(1))
        parents[depth] = found.group(1)
        above = [d for d in parents if d < depth]
        if above:
            parent = parents[max(above)]
            assert issubclass(getattr(errors, found.group(1)), getattr(errors, parent)), line


def test_no_other_module_defines_an_exception() -> None:
    """No module of the packages or scheduler.py declares its own exception class."""
    files = [ROOT / "scheduler.py", *(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))]
    found = []
    for path in files:
        if path == ROOT / "crawler" / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases}
                if any(b.endswith(("Error", "Exception")) for b in bases):
                    found.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert found == []
