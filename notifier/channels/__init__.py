"""Channel registry: each channel class registers under its config type name (console, telegram...)."""

from __future__ import annotations

import importlib
from typing import TypeVar

from notifier.channels.base import Channel

REGISTRY: dict[str, type[Channel]] = {}
BUILTIN_MODULES = ("console", "email", "telegram", "zalo")

C = TypeVar("C", bound=type[Channel])


def register(cls: C) -> C:
    """Class decorator: make a channel class available under its `name`."""
    REGISTRY[cls.name] = cls
    return cls


def load_builtin() -> dict[str, type[Channel]]:
    """Import the built-in channel modules (they register themselves) and return the registry."""
    for module in BUILTIN_MODULES:
        try:
            importlib.import_module(f"notifier.channels.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"notifier.channels.{module}":
                raise
    return REGISTRY


def part_limits(channel: str) -> tuple[int | None, int | None]:
    """(characters, formatting tags) allowed per message on `channel`; (None, None) when unbounded."""
    cls = load_builtin().get(channel)
    if cls is None:
        return (None, None)
    return (cls.part_limit, cls.max_tags)
