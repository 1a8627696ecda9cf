"""Units and their aliases: matching keys, the resolver (aliases, gazetteer, collectives), config sync."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.config import UnitConfig
from crawler.extract.normalize import match_key
from crawler.membership import commune_members
from crawler.storage.schema import Unit, UnitAlias

log = logging.getLogger(__name__)

_EDGE_PUNCT = " \t\r\n.,;:-–—()[]\"'“”"


def name_key(name: str) -> str:
    """Matching key of a unit name: folded, without edge punctuation, so spellings of a name compare equal."""
    return match_key(name).strip(_EDGE_PUNCT)


class UnitDirectory(Protocol):
    """What the storage layer uses of crawler.extract.units.Gazetteer."""

    def canonical(self, name: str, province: str | None = None) -> str | None:
        """The canonical name of a unit written any known way, or None."""

    def members_of(self, collective: str) -> tuple[str, ...]:
        """The concrete units a collective addressee covers."""

    def all_units(self) -> tuple[str, ...]:
        """Every canonical unit name."""


def default_directory() -> UnitDirectory | None:
    """The packaged gazetteer, its groups also read from their terms (crawler.membership), or None when
    the extraction package cannot provide one."""
    try:
        from crawler.extract.units import load_gazetteer
        from crawler.membership import GroupDirectory
    except ImportError:
        log.warning("gazetteer unavailable: units resolve through the database only")
        return None
    return GroupDirectory(load_gazetteer())


_PROVINCE_RE = re.compile(r"^(?:ủy ban nhân dân\s+)?((?:tỉnh|thành phố)\s+(?!ủy\b).+)$")


class UnitResolver:
    """Resolves unit names (aliases, abbreviations) to canonical names and collectives to their members."""

    def __init__(self, aliases: Mapping[str, str], directory: UnitDirectory | None) -> None:
        """Build from alias keys -> canonical names (from the database) and an optional gazetteer."""
        self._aliases = dict(aliases)
        self._stored_names = frozenset(self._aliases.values())
        self._directory = directory
        self._reach: dict[str, frozenset[str]] = {}  # by name as written: names repeat across tasks
        self._keys: dict[str, frozenset[str]] = {}
        self._list_keys: dict[tuple[str, ...], frozenset[str]] = {}

    def canonical(self, name: str) -> str:
        """The canonical name of `name`: database aliases first, then the gazetteer, else the name itself."""
        known = self._aliases.get(name_key(name))
        if known:
            return known
        found = self._directory.canonical(name) if self._directory else None
        return found or " ".join(unicodedata.normalize("NFC", name).split())

    def reach(self, name: str) -> frozenset[str]:
        """Keys of every unit an addressee reaches: itself and, for a collective, each unit it covers."""
        reached = self._reach.get(name)
        if reached is None:
            canonical = self.canonical(name)
            members = self.members(name)
            reached = frozenset(k for n in (canonical, *members) for k in equivalent_keys(n))
            self._reach[name] = reached
        return reached

    def members(self, name: str) -> tuple[str, ...]:
        """The canonical names of the units a collective covers (() for one unit): the gazetteer's
        members, or the stored commune committees a commune-level group covers."""
        canonical = self.canonical(name)
        listed = self._directory.members_of(canonical) if self._directory else ()
        return listed or commune_members(canonical, self._stored_names)

    def reached_by(self, names: Iterable[str]) -> frozenset[str]:
        """Keys of every unit that a lead/support list reaches."""
        return frozenset(k for name in names for k in self.reach(name))

    def keys_of(self, name: str) -> frozenset[str]:
        """The keys naming the unit `name` itself (not the members of a collective); memoized by name
        as written, since every digest asks it for the names of each of its tasks."""
        keys = self._keys.get(name)
        if keys is None:
            keys = self._keys[name] = frozenset(equivalent_keys(self.canonical(name)))
        return keys

    def keys_of_all(self, names: tuple[str, ...]) -> frozenset[str]:
        """The keys naming each unit of a lead or support list itself; memoized by list, since tasks
        share a few thousand lists."""
        keys = self._list_keys.get(names)
        if keys is None:
            keys = self._list_keys[names] = frozenset(k for name in names for k in self.keys_of(name))
        return keys


def equivalent_keys(name: str) -> tuple[str, ...]:
    """Keys under which a unit is addressed: a province and its People's Committee stand for each other."""
    key = name_key(name)
    province = _PROVINCE_RE.match(key)
    if not province:
        return (key,)
    return (province.group(1), f"ủy ban nhân dân {province.group(1)}")


def alias_map(session: Session) -> dict[str, str]:
    """Every stored alias key with the canonical name of its unit."""
    rows = session.execute(select(UnitAlias.alias, Unit.name).join(Unit, Unit.id == UnitAlias.unit_id))
    return {alias: name for alias, name in rows}


def _alias_owners(session: Session) -> dict[str, int]:
    """Every stored alias key with the id of the unit that owns it."""
    return {alias: unit_id for alias, unit_id in session.execute(select(UnitAlias.alias, UnitAlias.unit_id))}


def load_resolver(session: Session, directory: UnitDirectory | None = None) -> UnitResolver:
    """A resolver over the database's units and aliases, falling back on the gazetteer when given."""
    return UnitResolver(alias_map(session), directory)


def unit_resolver(session: Session, directory: UnitDirectory | None = None) -> UnitResolver:
    """The resolver over stored aliases and the gazetteer (the packaged one unless given)."""
    return load_resolver(session, directory or default_directory())


def sync_units(session: Session, config_units: Sequence[UnitConfig], directory: UnitDirectory | None) -> int:
    """Make sure every gazetteer unit and config unit exists with its aliases; return how many were added."""
    names: dict[str, tuple[str, ...]] = {name: () for name in (directory.all_units() if directory else ())}
    for spec in config_units:
        names[spec.name] = (*names.get(spec.name, ()), *spec.aliases)
    existing = {u.name: u for u in session.scalars(select(Unit))}
    taken = _alias_owners(session)
    added = 0
    for name, aliases in names.items():
        unit = existing.get(name)
        if unit is None:
            unit = existing[name] = Unit(name=name)
            session.add(unit)
            session.flush()
            added += 1
        _add_aliases(session, unit, (name, *aliases), taken)
    session.flush()
    return added


def _add_aliases(session: Session, unit: Unit, aliases: Iterable[str], taken: dict[str, int]) -> None:
    """Record alias keys for a unit; a key another unit already owns stays with that unit (first wins)."""
    for alias in aliases:
        key = name_key(alias)
        owner = taken.get(key)
        if owner is None:
            session.add(UnitAlias(unit_id=unit.id, alias=key))
            taken[key] = unit.id
        elif owner != unit.id:
            log.warning("alias %r of %r already names another unit (id %s)", alias, unit.name, owner)


def ensure_unit(session: Session, name: str, resolver: UnitResolver) -> Unit:
    """The unit row for a name (through aliases), created under its canonical name when unknown."""
    canonical = resolver.canonical(name)
    unit = session.scalars(select(Unit).where(Unit.name == canonical)).one_or_none()
    if unit is None:
        log.info("unit %r is not in the gazetteer or config: adding it", canonical)
        unit = Unit(name=canonical)
        session.add(unit)
        session.flush()
        _add_aliases(session, unit, {canonical, name}, _alias_owners(session))
        session.flush()
    return unit


def find_unit(session: Session, name: str, resolver: UnitResolver) -> Unit | None:
    """The stored unit a name denotes (exact, alias or gazetteer spelling), or None."""
    return session.scalars(select(Unit).where(Unit.name == resolver.canonical(name))).one_or_none()
