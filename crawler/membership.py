"""Who a collective addressee covers, and which names no digest can take: the routing side of the gazetteer.

Extraction keeps a group as written ("Các bộ, cơ quan Trung ương"); the gazetteer lists the members
of the collectives it knows ("Các bộ, ngành": every ministry, ministerial body and government
agency). `GroupDirectory` wraps the gazetteer so that a group it does not list is read from its
terms ("bộ", "cơ quan ngang bộ", "địa phương", "sở, ban, ngành tỉnh X"), each a known kind of unit;
a group with any other term ("liên quan", "trường", "khác") has no members anybody can name.
`placement` tells a concrete unit from a group with members and from a name that cannot be placed:
a provincial body without its province ("Ủy ban nhân dân tỉnh", "Sở Tài chính") or a bare group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from crawler.extract.normalize import match_key
from crawler.extract.units import packaged_data as gazetteer_data  # the extractor's one loader (cached)

if TYPE_CHECKING:
    from crawler.storage.units import UnitDirectory, UnitResolver


class Placement(StrEnum):
    """What a name on a task stands for, for routing."""

    UNIT = "unit"  # one concrete unit: it can have a digest of its own
    GROUP = "group"  # a collective whose members are known: routed to them, never a digest of its own
    UNPLACED = "unplaced"  # the operator must say which unit is meant ("cần xác định đơn vị")


_CENTRAL = ("ministries", "ministerial", "gov_agencies")
# Terms of a group phrase ("các bộ, cơ quan ngang bộ") and the gazetteer kinds each one covers.
_TERMS: Mapping[str, tuple[str, ...]] = {
    "bộ": ("ministries",),
    "ngành": ("ministerial", "gov_agencies"),
    "bộ ngành": _CENTRAL,
    "cơ quan": ("ministerial", "gov_agencies"),
    "cơ quan ngang bộ": ("ministerial",),
    "cơ quan thuộc chính phủ": ("gov_agencies",),
    "cơ quan trực thuộc chính phủ": ("gov_agencies",),
    "cơ quan trung ương": ("ministerial", "gov_agencies"),
    "cơ quan ở trung ương": ("ministerial", "gov_agencies"),
    "địa phương": ("provinces",),
    "tỉnh": ("provinces",),
    "thành phố": ("provinces",),
    "thành phố trực thuộc trung ương": ("provinces",),
}
# Terms that, with a province named after the group, mean that province's departments.
_PROVINCE_TERMS = frozenset({"sở", "ban", "ngành", "sở ngành", "cơ quan chuyên môn"})
_GROUP_PREFIXES = ("các ", "từng ", "mỗi ", "ủy ban nhân dân các ", "ủy ban nhân dân cấp ")
_COMMITTEES = "ủy ban nhân dân các "
_SPLIT = re.compile(r"\s*,\s*|\s+và\s+")
_LEVELS = r"(?:tỉnh|thành phố|xã|phường|đặc khu|thị trấn|huyện|quận|thị xã)"
# A body named with its level but not the place ("Ủy ban nhân dân tỉnh", "Công an thành phố").
_BARE_LEVEL = re.compile(rf"^(?:ủy ban nhân dân|ubnd)$|\s(?:cấp\s+)?{_LEVELS}$")
_PROVINCE_AT_END = re.compile(r"\s+((?:tỉnh|thành phố)\s+\S.*)$")


@cache
def _names_by_kind() -> dict[str, tuple[str, ...]]:
    """Canonical names per gazetteer kind, provinces written as the gazetteer writes them ("Tỉnh X")."""
    names: dict[str, tuple[str, ...]] = {}
    for kind, entries in gazetteer_data().items():
        if kind == "provinces":
            names[kind] = tuple(_capital(province) for province in _provinces().values())
        else:
            names[kind] = tuple(str(entry["name"]) for entry in entries)
    return names


@cache
def _provinces() -> dict[str, str]:
    """Today's provinces by matching key ("tỉnh nghệ an") -> as written after a body ("tỉnh Nghệ An")."""
    found = {}
    for entry in gazetteer_data().get("provinces", []):
        written = f"{entry['level']} {entry['name']}"
        found[match_key(written)] = written
    return found


def _capital(text: str) -> str:
    """The text with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def group_members(group: str) -> tuple[str, ...]:
    """The units an unlisted group phrase covers, read from its terms; () when one term is unknown."""
    key = " ".join(match_key(group).strip(" .,;:").split())
    committees = key.startswith(_COMMITTEES)
    if not committees and not key.startswith("các "):
        return ()
    rest = key.removeprefix(_COMMITTEES if committees else "các ")
    province = _PROVINCE_AT_END.search(rest)
    place = _provinces().get(province.group(1)) if province else None
    if place and province is not None:
        rest = rest[: province.start()]
    terms = [term for term in _SPLIT.split(rest) if term]
    if place and not committees and terms and all(t in _PROVINCE_TERMS for t in terms):
        return tuple(f"{body} {place}" for body in _names_by_kind().get("province_bodies", ()))
    if place or not terms or not all(term in _TERMS for term in terms):
        return ()
    kinds = dict.fromkeys(kind for term in terms for kind in _TERMS[term])
    if committees:
        if list(kinds) != ["provinces"]:
            return ()
        return tuple(f"Ủy ban nhân dân {written}" for written in _provinces().values())
    return tuple(dict.fromkeys(name for kind in kinds for name in _names_by_kind().get(kind, ())))


_COMMUNE_LEVELS = ("xã", "phường", "đặc khu", "thị trấn")
# "Ủy ban nhân dân các xã, phường, đặc khu", "UBND cấp xã", "Ủy ban nhân dân xã, phường": the
# committees of the commune-level units named, of the province where dondoc runs.
_COMMUNE_GROUP = re.compile(
    r"^(?:ủy ban nhân dân|ubnd)\s+(?:(?P<level>cấp xã)|(?:các\s+)?(?P<list>(?:(?:xã|phường|đặc khu|thị trấn)"
    r"\s*(?:,|và)?\s*)+))(?:\s+(?:tỉnh|thành phố)\s+\S.*)?$"
)


def commune_members(group: str, units: Iterable[str]) -> tuple[str, ...]:
    """The stored commune committees ("Ủy ban nhân dân xã Ia Grai") a commune-level group covers; the
    gazetteer lists no communes, so only those the operator configured (in [[units]] or recipients)."""
    m = _COMMUNE_GROUP.match(" ".join(match_key(group).strip(" .,;:").split()))
    if not m:
        return ()
    listed = m.group("list") or ""
    levels = _COMMUNE_LEVELS if m.group("level") else tuple(lv for lv in _COMMUNE_LEVELS if lv in listed)
    prefixes = tuple(f"ủy ban nhân dân {level} " for level in levels)
    return tuple(sorted({u for u in units if match_key(u).startswith(prefixes)}))


class GroupDirectory:
    """A unit directory (the gazetteer) whose groups also cover what their terms name."""

    def __init__(self, directory: UnitDirectory) -> None:
        """Wrap the directory that knows names, aliases and the listed collectives."""
        self._directory = directory

    def canonical(self, name: str, province: str | None = None) -> str | None:
        """The canonical name, as the wrapped directory says."""
        return self._directory.canonical(name, province)

    def members_of(self, collective: str) -> tuple[str, ...]:
        """The listed collective's members, else those its terms name."""
        return self._directory.members_of(collective) or group_members(collective)

    def all_units(self) -> tuple[str, ...]:
        """Every canonical unit name, as the wrapped directory says."""
        return self._directory.all_units()


def is_group_phrase(name: str) -> bool:
    """Tell a collective addressee as written ("Các trường", "Ủy ban nhân dân cấp xã") from one body."""
    return match_key(name).lstrip(" ,;.-").startswith(_GROUP_PREFIXES)


@cache
def _province_body_keys() -> frozenset[str]:
    """Matching keys of the departments every province has ("sở tài chính")."""
    return frozenset(match_key(body) for body in _names_by_kind().get("province_bodies", ()))


def needs_place(name: str) -> bool:
    """Tell a provincial body named without its province ("Ủy ban nhân dân tỉnh", "Sở Tài chính")."""
    key = " ".join(match_key(name).strip(" .,;:").split())
    return key in _province_body_keys() or bool(_BARE_LEVEL.search(key))


def placement(name: str, resolver: UnitResolver) -> Placement:
    """Where a name on a task leads: one unit, a group with known members, or the operator's list."""
    if resolver.reach(name) - resolver.keys_of(name):
        return Placement.GROUP
    canonical = resolver.canonical(name)
    if is_group_phrase(canonical) or needs_place(canonical):
        return Placement.UNPLACED
    return Placement.UNIT
