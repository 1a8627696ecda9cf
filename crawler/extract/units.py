"""The gazetteer of bodies that receive tasks, and the reading of unit names in task text.

The data (ministries and agencies as reorganized in 2025, the 34 provinces, their departments,
Party bodies, courts, collective addressees, with aliases and abbreviations) lives in
`data/gazetteer.json`; the operator's config can add units. Matching runs on folded text (lower
case, modern tones) with whitespace-tolerant patterns, so names broken over lines still match.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from crawler.extract.groups import COLLECTIVE_HEAD, group_name
from crawler.extract.listheads import list_head
from crawler.extract.namepatterns import alternation, loose_key, name_pattern, word_alternation
from crawler.extract.normalize import fold, modern_spelling
from crawler.extract.unitlists import and_splits, cut_like, segments

_CENTRAL_KINDS = ("ministries", "ministerial", "gov_agencies", "party", "state")
# Local bodies named by their level ("Công an tỉnh", "UBND thành phố Huế"); short forms spelled out.
_LOCAL_SHORT = {
    "ubnd": "Ủy ban nhân dân",
    "ủy ban nhân dân": "Ủy ban nhân dân",
    "văn phòng ủy ban nhân dân": "Văn phòng Ủy ban nhân dân",
    "văn phòng ubnd": "Văn phòng Ủy ban nhân dân",
    "vp ubnd": "Văn phòng Ủy ban nhân dân",
    "vpubnd": "Văn phòng Ủy ban nhân dân",
    "bảo hiểm xã hội": "Bảo hiểm xã hội",
    "bhxh": "Bảo hiểm xã hội",
    "bộ chỉ huy quân sự": "Bộ Chỉ huy Quân sự",
    "bộ chqs": "Bộ Chỉ huy Quân sự",
    "đài pt-th": "Đài Phát thanh và Truyền hình",
    "đài ptth": "Đài Phát thanh và Truyền hình",
    "hội lhpn": "Hội Liên hiệp Phụ nữ",
    "ủy ban mttq việt nam": "Ủy ban Mặt trận Tổ quốc Việt Nam",
    "ubmttq việt nam": "Ủy ban Mặt trận Tổ quốc Việt Nam",
    "ubmttqvn": "Ủy ban Mặt trận Tổ quốc Việt Nam",
}
_LOCAL_BODIES = (
    *_LOCAL_SHORT,
    "công an",
    "thanh tra",
    "tỉnh ủy",
    "thành ủy",
    "trung tâm phục vụ hành chính công",
)
_LEVEL = r"(?:tỉnh|thành phố|tp\s*\.?)"
_WORD_LEVEL = r"t(?<!\wt)(?:ỉnh|hành phố|p\s*\.?)"  # (?<!\w) then _LEVEL, its literal first letter first
_TITLES = re.compile(
    r"(?<!\w)(?:bộ trưởng|thủ trưởng|chủ tịch|giám đốc|người đứng đầu|lãnh đạo)\s+"
    r"(?=các\s|bộ\s|cơ quan|ủy ban|ubnd|sở\s)"
)
# "Bộ trưởng, Thủ trưởng cơ quan ngang bộ, …": the heads of the bodies stand for the bodies (FORMAT.md).
_HEADS_OF_BODIES = re.compile(r"(?i)(?<!\w)(?:(?:các\s+)?đồng chí\s+)?bộ trưởng,\s*thủ trưởng\s+(?=cơ quan)")
# "Các đồng chí Bộ trưởng, Chủ tịch …": the ministers, named by no ministry, stand for the ministries.
_MINISTERS = re.compile(r"(?i)(?<!\w)các\s+(?:đồng chí\s+)?bộ trưởng(?=\s*(?:[,;]|$)|\s+và\s)")
# A group owned by a body ("Các đơn vị trực thuộc Bộ Tài chính", "các cơ quan, đơn vị thuộc thẩm
# quyền quản lý của Ủy ban nhân dân tỉnh"): the owner qualifies the group, it does not lead.
_OWNED_GROUP = re.compile(
    r"^(các\s+)?(?:(?:cơ quan|đơn vị|sở|ban|ngành|doanh nghiệp(?: nhà nước)?|tổ chức)(?:,\s*|\s+và\s+|\s+))+"
    r"(?:trực\s+)?thuộc\s+(?:(?:thẩm quyền\s+)?quản lý\s+của\s+)?(?!phạm vi|trung ương|mỗi|từng)"
)
# A generic group head followed by the concrete units it means ("Các Bộ chủ quản (Bộ X, Bộ Y)").
_GENERIC_PAREN = re.compile(
    r"^(?:các\s+)?(?:bộ|sở|cơ quan|đơn vị|ngành|địa phương|tỉnh|thành phố)(?!\w)[^()]{0,100}?"
    r"\s*\(([^()]+)\)"
)
# What opens a parenthesis that lists the members of a generic head ("(gồm: …)", "(bao gồm …)").
_LISTING_WORD = re.compile(r"\s*(?:bao\s+gồm|gồm(?:\s+có)?|là)\s*:?\s*")
# One head noun then its members' short names ("các Sở: Xây dựng, Tài chính", "Bộ: Y tế, Công an").
_SHORT_LIST = re.compile(r"(?:các\s+)?(?:sở|bộ)\s*:\s*\S")
# One kind of local body in every province ("Công an các tỉnh, thành phố", "Sở Y tế các địa
# phương", "các Sở GDĐT"): one group as written, never the places alone or one province's body.
_LOCAL_KIND = (
    r"(?:công an|sở\s+[^,;()]{2,60}?|bảo hiểm xã hội|bhxh|cục thuế|cục hải quan|kho bạc nhà nước"
    r"|thanh tra|bộ chỉ huy quân sự|ban chỉ huy quân sự|tòa án nhân dân|viện kiểm sát nhân dân"
    r"|ngân hàng nhà nước chi nhánh|ủy ban mặt trận tổ quốc việt nam|hội đồng nhân dân)"
)
_PLACE_WORD = r"(?:tỉnh|thành phố|tp|địa phương|đơn vị|quận|huyện|thị xã|xã|phường|đặc khu)"
_EVERY_PLACE = re.compile(
    rf"^(?:các\s+)?(?P<body>{_LOCAL_KIND})\s+(?:của\s+)?(?P<places>các\s+{_PLACE_WORD}"
    rf"(?:(?:,\s*|\s+và\s+)(?:các\s+)?{_PLACE_WORD})*(?:\s+trực\s+thuộc\s+trung\s+ương)?"
    r"(?:\s+(?:có\s+)?liên\s+quan)?)$"
)
_PLURAL_DEPARTMENT = re.compile(r"^các\s+(?P<body>sở\s+[^,;()]{2,60})$")
# A province named by its level and two capitalized syllables ("tỉnh Quảng Nam"), known or not.
_NAMED_PROVINCE = re.compile(r"tỉnh(?<!\wtỉnh)\s+([A-ZÀ-Ỹ][^\W\d_]*\s+[A-ZÀ-Ỹ][^\W\d_]*)(?!\w)")


@dataclass(frozen=True)
class UnitMatch:
    """A unit name found in a text: its span and canonical name."""

    start: int
    end: int
    name: str


class Gazetteer:
    """Canonical unit names with their aliases, provinces and collective addressees."""

    def __init__(
        self, data: dict[str, list[dict[str, object]]], extra: Sequence[tuple[str, Sequence[str]]] = ()
    ) -> None:
        """Index the gazetteer data plus the operator's extra units (name, aliases)."""
        self._canon: dict[str, str] = {}
        self._kinds: dict[str, list[str]] = {}
        self._members: dict[str, tuple[str, ...]] = {}
        self._cache: dict[tuple[str, str | None], tuple[UnitMatch, ...]] = {}
        self._resolved: dict[tuple[str, str | None], tuple[str, ...]] = {}
        self.provinces: dict[str, str] = {}  # folded alias -> "tỉnh X" / "thành phố X"
        self._province_names: dict[str, str] = {}
        for kind, entries in data.items():
            for entry in entries:
                name = str(entry["name"])
                aliases = [str(a) for a in entry.get("aliases", [])]  # type: ignore[attr-defined]
                if kind in ("provinces", "former_provinces"):
                    self._add_province(name, str(entry["level"]), aliases, current=kind == "provinces")
                    continue
                self._add(name, aliases, kind)
                if kind == "collectives":
                    self._members[name] = tuple(str(m) for m in entry.get("members", []))  # type: ignore[attr-defined]
        for extra_name, extra_aliases in extra:
            self._add(extra_name, list(extra_aliases), "extra")
        self._loose = {loose_key(key): name for key, name in reversed(self._canon.items())}
        keys = sorted(self._canon, key=len, reverse=True)
        self._regex = re.compile(word_alternation([name_pattern(k) for k in keys]))
        provs = sorted(self.provinces, key=len, reverse=True)
        self._prov_alt = alternation([name_pattern(p) for p in provs])
        self._suffix = re.compile(rf"\s+{_LEVEL}\s*({self._prov_alt})(?!\w)|\s+({self._prov_alt})(?!\w)")
        self._level_suffix = re.compile(rf"\s+({_LEVEL})(?:\s*({self._prov_alt}))?(?!\w)")
        self._local = re.compile(word_alternation([name_pattern(b) for b in _LOCAL_BODIES]))
        self._prov_regex = re.compile(rf"(?<!\w)(?:{_LEVEL}\s*)?({self._prov_alt})(?!\w)")
        self._prov_level_regex = re.compile(rf"{_WORD_LEVEL}\s*({self._prov_alt})(?!\w)")
        self._pairs = frozenset(
            pair for key in [*self._canon, *self.provinces] for pair in itertools.pairwise(key.split())
        )

    def joins(self, left: str, right: str) -> bool:
        """Tell whether two syllables are adjacent in some known name ("địa" + "phương"), so a name
        broken between them (over a line or a page) is still one name."""
        return (fold(left).strip(" ,;"), fold(right).strip(" ,;")) in self._pairs

    def _add(self, name: str, aliases: list[str], kind: str) -> None:
        """Register a unit under its own name and aliases."""
        for alias in [name, *aliases]:
            self._canon.setdefault(" ".join(fold(alias).split()), name)
        self._kinds.setdefault(kind, []).append(name)

    def _add_province(self, name: str, level: str, aliases: list[str], current: bool = True) -> None:
        """Register a province or centrally-run city under its name and aliases; a former province
        (merged in 2025, still named in older texts) is recognized but is no member of groups."""
        full = f"{level} {name}"
        for alias in [name, *aliases]:
            self.provinces[" ".join(fold(alias).split())] = full
        if current:
            self._province_names[full] = name
        self._kinds.setdefault("provinces" if current else "former_provinces", []).append(
            full[0].upper() + full[1:]
        )

    def _is_department(self, name: str) -> bool:
        """Tell whether a canonical name is a provincial department, of today or merged in 2025."""
        kinds = self._kinds
        return name in kinds.get("province_bodies", ()) or name in kinds.get("former_province_bodies", ())

    def all_units(self) -> tuple[str, ...]:
        """Every canonical unit name the gazetteer knows (former provinces, ministries and departments,
        merged in 2025, are recognized in texts but are no units of today's administration)."""
        kinds = [names for kind, names in self._kinds.items() if not kind.startswith("former_")]
        return tuple(dict.fromkeys(n for names in kinds for n in names))

    def members_of(self, collective: str) -> tuple[str, ...]:
        """The concrete units a collective addressee covers (for routing digests)."""
        name = self.canonical(collective) or collective
        out: list[str] = []
        for kind in self._members.get(name, ()):
            if kind == "province_committees":
                out += [f"Ủy ban nhân dân {p}" for p in self._province_names]
            else:
                out += self._kinds.get(kind, [])
        return tuple(dict.fromkeys(out))

    def home_province(self, text: str) -> str | None:
        """The province a text keeps naming with its level ("thành phố Hà Nội"), if named twice."""
        counts: dict[str, int] = {}
        for m in self._prov_level_regex.finditer(fold(text)):
            name = self.provinces.get(" ".join(m.group(1).split()))
            if name:
                counts[name] = counts.get(name, 0) + 1
        best = max(counts, key=lambda k: counts[k], default=None)
        if best and counts[best] >= 2:
            return best
        return self._only_province(text)

    def _only_province(self, text: str) -> str | None:
        """The one province a text names (known, or "tỉnh X Y" outside the gazetteer), if just one."""
        named = {
            self.provinces[key]
            for m in self._prov_regex.finditer(fold(text))
            if (key := " ".join(m.group(1).split())) in self.provinces
        }
        spelled = modern_spelling(" ".join(text.split())) if "tỉnh" in text else ""  # it needs "tỉnh"
        for m in _NAMED_PROVINCE.finditer(spelled):
            proper = all(word[0].isupper() for word in m.group(1).split())  # "tỉnh đáp ứng" is no name
            if proper and self.province_of(m.group()) is None:
                named.add("tỉnh " + m.group(1))
        return next(iter(named)) if len(named) == 1 else None

    def listed_units(self, phrase: str, province: str | None = None) -> tuple[int, tuple[str, ...]]:
        """The end and concrete units of a generic head followed by them in parentheses
        ("Các Bộ chủ quản (Bộ Tài chính, Bộ Xây dựng)", "Các cơ quan tham mưu (gồm các Sở: Xây
        dựng, Tài chính)"), or (0, ()) if the phrase is not one."""
        m = _GENERIC_PAREN.match(fold(phrase))
        if not m or self.canonical(phrase[: m.start(1) - 1].strip(), province):
            return 0, ()
        inner = phrase[m.start(1) : m.end(1)]
        lead_in = _LISTING_WORD.match(fold(inner))
        inner = inner[lead_in.end() :] if lead_in else inner
        if _SHORT_LIST.match(fold(inner)):  # "(gồm các Sở: Xây dựng, Tài chính)"
            named = self.resolve(inner, province)
            return (m.end(), named) if len(named) >= 2 else (0, ())
        collectives = self._kinds.get("collectives", ())
        found = [u for u in self.find_units(inner, province) if u.name not in collectives]
        if not found:
            return 0, ()
        gaps = [inner[a.end : b.start] for a, b in itertools.pairwise(found)]
        if found[0].start > 1 or any(not re.fullmatch(r"[\s,;]*(?:và\s*)?", g) for g in gaps):
            return 0, ()
        return m.end(), tuple(dict.fromkeys(u.name for u in found))

    def mask_provinces(self, folded: str) -> str:
        """Blank out province names in folded text (so "Cần Thơ" is not read as the verb "cần")."""
        return self._prov_regex.sub(lambda m: "x" * len(m.group()), folded)

    def province_of(self, text: str) -> str | None:
        """The province ("tỉnh Nghệ An") named first in a text, if any."""
        m = self._prov_regex.search(fold(text))
        return self.provinces.get(" ".join(m.group(1).split())) if m else None

    def canonical(self, name: str, province: str | None = None) -> str | None:
        """The canonical name of a unit written any known way, or None if unknown."""
        found = self.find_units(name, province)
        if len(found) == 1 and found[0].start == 0 and found[0].end >= len(name.rstrip(" .,;:")):
            return found[0].name
        key = re.sub(rf"^{_LEVEL}\s*", "", " ".join(fold(name).split()))
        full = self.provinces.get(key)
        return full[0].upper() + full[1:] if full else None

    def find_units(self, text: str, province: str | None = None) -> list[UnitMatch]:
        """Find every known unit in a text, longest name first, with a province suffix when given
        (cached, bounded: the stages ask about the same cells and headings)."""
        key = (text, province)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > 20_000:
                self._cache.clear()
            found = self._cache[key] = self._find_units(text, province)
        return list(found)

    def _find_units(self, text: str, province: str | None) -> tuple[UnitMatch, ...]:
        """Scan a text for known units (see find_units)."""
        folded = fold(text)
        out: list[UnitMatch] = []
        for m in self._regex.finditer(folded):
            name = self._loose[loose_key(m.group())]
            end = m.end()
            if self._is_department(name):
                suffix = self._suffix.match(folded, end)
                where = province
                if suffix:
                    where = self.provinces.get(" ".join((suffix.group(1) or suffix.group(2)).split()))
                    end = suffix.end()
                name = self._local_name(name, where)
            out.append(UnitMatch(m.start(), end, name))
        out += self._find_local(text, folded, province, out)
        return tuple(sorted(out, key=lambda u: u.start))

    def _find_local(
        self, text: str, folded: str, province: str | None, taken: list[UnitMatch]
    ) -> list[UnitMatch]:
        """Find local bodies named by level ("UBND tỉnh Nghệ An", "Công an tỉnh")."""
        out: list[UnitMatch] = []
        if "tỉnh" not in folded and "thành phố" not in folded and "tp" not in folded:
            return out  # a cheap test: each local body needs its level (`_level_suffix`) after it
        starts = [u.start for u in taken]  # taken is in text order
        for m in self._local.finditer(folded):
            inside = bisect.bisect_right(starts, m.start()) - 1
            if inside >= 0 and m.start() < taken[inside].end:
                continue
            level = self._level_suffix.match(folded, m.end())
            if not level:
                continue
            where = self.provinces.get(" ".join(level.group(2).split())) if level.group(2) else province
            written = " ".join(text[m.start() : m.end()].split())
            short = _LOCAL_SHORT.get(" ".join(m.group().split()))
            body = short or modern_spelling(written[0].upper() + written[1:])
            lvl = "thành phố" if level.group(1).startswith(("thành", "tp")) else "tỉnh"
            name = f"{body} {where}" if where else f"{body} {lvl}"
            out.append(UnitMatch(m.start(), level.end(), name))
        return out

    def _local_name(self, name: str, province: str | None) -> str:
        """Attach the province to a department name ("Sở Tài chính" -> "Sở Tài chính tỉnh Nghệ An")."""
        base = re.sub(r"\s+tỉnh$", "", name)
        return f"{base} {province}" if province else base

    def resolve(self, phrase: str, province: str | None = None) -> tuple[str, ...]:
        """Read the units a subject phrase names: lists ("Các Bộ: Tài chính, Xây dựng"), known names,
        titles ("Bộ trưởng Bộ Công Thương"), and collective groups kept as one phrase (cached)."""
        key = (phrase, province)
        found = self._resolved.get(key)
        if found is None:
            if len(self._resolved) > 20_000:
                self._resolved.clear()
            found = self._resolved[key] = self._resolve(phrase, province)
        return found

    def _resolve(self, phrase: str, province: str | None) -> tuple[str, ...]:
        """Resolve a unit phrase (see resolve)."""
        phrase = _HEADS_OF_BODIES.sub("bộ, ", " ".join(phrase.split()).strip(" ,;:.-*"))
        phrase = _MINISTERS.sub("các bộ", phrase)
        folded = _TITLES.sub("", fold(phrase))
        if folded != fold(phrase):
            phrase = cut_like(phrase, folded)
        everywhere = self._everywhere(phrase, folded)
        if everywhere:
            return (everywhere,)
        head = list_head(phrase, folded, lambda name: self.canonical(name, province))
        if head:
            return self._resolve_list(phrase, head, province)
        whole = self.canonical(phrase, province)
        if whole:
            return (whole,)
        end, listed = self.listed_units(phrase, province)
        if listed:
            return listed + self.resolve(phrase[end:], province) if phrase[end:].strip(" ,;.") else listed
        phrase = self._specific(phrase, province)
        names: list[str] = []
        for segment in segments(phrase):
            names += self._resolve_segment(segment, province)
        return tuple(dict.fromkeys(names))

    def _everywhere(self, phrase: str, folded: str) -> str | None:
        """One kind of body across all provinces ("Công an các tỉnh, thành phố", "các Sở GDĐT")."""
        every = _EVERY_PLACE.match(folded)
        plural = every or _PLURAL_DEPARTMENT.match(folded)
        if not plural:
            return None
        body = phrase[plural.start("body") : plural.end("body")]
        known = self.canonical(body)
        if plural.group("body").startswith("sở") and not (known and self._is_department(known)):
            return None
        name = known or modern_spelling(body)
        if not every:
            return f"Các {name}"
        places = modern_spelling(phrase[every.start("places") :])
        return f"{name[0].upper()}{name[1:]} {places}"

    def _specific(self, phrase: str, province: str | None) -> str:
        """Keep the more specific body of "Bộ Quốc phòng (Ban Cơ yếu Chính phủ)"."""
        found = self.find_units(phrase, province)
        for outer, inner in itertools.pairwise(found):
            between = phrase[outer.end : inner.start].strip()
            if between == "(" and phrase[inner.end :].lstrip().startswith(")"):
                close = phrase.index(")", inner.end)
                return phrase[: outer.start] + phrase[inner.start : inner.end] + phrase[close + 1 :]
        return phrase

    def _resolve_segment(self, segment: str, province: str | None) -> list[str]:
        """Read one segment of a unit list: a known name, a collective group, or names inside it."""
        known = self.canonical(segment, province)
        if known:
            return [known]
        owned = _OWNED_GROUP.match(fold(segment))
        if owned:  # "Các đơn vị trực thuộc Bộ Tài chính": one group ("các" kept or supplied)
            text = modern_spelling(" ".join(segment.split())).strip(" ,;.:")
            return [text[0].upper() + text[1:] if owned.group(1) else "Các " + text]
        found = self.find_units(segment, province)
        concrete = [u for u in found if u.name not in self._kinds.get("collectives", ())]
        listing = bool(found) and _list_goes_on(segment, found[0])
        if not concrete and COLLECTIVE_HEAD.match(fold(segment)) and not listing:
            return group_name(segment, self._canon)
        names: list[str] = []
        cursor = 0
        for unit in found:
            names += group_name(segment[cursor : unit.start], self._canon)
            rest = segment[unit.end :].strip(" ,;.")
            if (
                unit.name in self._kinds.get("collectives", ())
                and rest
                and not fold(rest).startswith(("trực thuộc", "và", "các"))
                and not _list_goes_on(segment, unit)
            ):
                names += group_name(segment[unit.start :], self._canon)
                return names
            names.append(unit.name)
            cursor = unit.end
        return names + group_name(segment[cursor:], self._canon)

    def _resolve_list(self, phrase: str, head: re.Match[str], province: str | None) -> tuple[str, ...]:
        """Expand a headed list ("Các Bộ: Tài chính, Nông nghiệp và Môi trường, Xây dựng")."""
        kind = " ".join(head.group(1).split())
        prefix = {"bộ": "Bộ ", "sở": "Sở ", "tỉnh": "tỉnh ", "thành phố": "thành phố "}.get(kind, "Bộ ")
        if kind.startswith("ủy ban"):
            prefix = (
                "Ủy ban nhân dân thành phố "
                if "thành phố" in kind and "tỉnh" not in kind
                else "Ủy ban nhân dân "
            )
        body = phrase[head.end() :]
        names: list[str] = []
        tail = re.search(r"\s+và\s+(?=các\s)", fold(body))
        if tail:
            body, rest = body[: tail.start()], body[tail.end() :]
        pieces = [p.strip() for p in re.split(r"[,;]", body) if p.strip()]
        i = 0
        while i < len(pieces):
            piece, step = pieces[i], 1
            if i + 1 < len(pieces) and self._known(prefix, f"{piece}, {pieces[i + 1]}", province):
                piece, step = f"{piece}, {pieces[i + 1]}", 2
            names += self._list_item(prefix, piece, province)
            i += step
        if tail:
            names += group_name(rest, self._canon)
        return tuple(dict.fromkeys(names))

    def _known(self, prefix: str, piece: str, province: str | None) -> str | None:
        """The canonical name of a list item read with its head word, or as a name on its own."""
        return self.canonical(prefix + piece, province) or self.canonical(piece, province)

    def _list_item(self, prefix: str, piece: str, province: str | None) -> list[str]:
        """Read one list item, splitting "X và Y" when the whole is not a known name."""
        known = self._known(prefix, piece, province)
        if known:
            return [known]
        for first, rest in and_splits(piece):
            if fold(rest).startswith("các"):
                return self._list_item(prefix, first, province) + group_name(rest, self._canon)
            parts = [self._known(prefix, first, province), self._known(prefix, rest, province)]
            if all(parts):
                return [p for p in parts if p]
        if prefix.startswith("Ủy ban") and self.province_of(piece):
            return [prefix + piece.strip()]
        return group_name(piece, self._canon) or list(self.resolve(piece, province))


def _list_goes_on(segment: str, unit: UnitMatch) -> bool:
    """Tell whether a group that ends in a proper name ("… cơ quan thuộc Chính phủ") is followed by
    more list items, so it is complete; a group ending in a common noun ("Các bộ, ngành") may be
    the start of a longer group ("Các bộ, ngành, địa phương")."""
    proper = any(word[:1].isupper() for word in unit.name.split()[-2:])
    return proper and segment[unit.end :].lstrip().startswith((",", ";"))


@cache
def packaged_data() -> dict[str, list[dict[str, object]]]:
    """Load the packaged gazetteer data once."""
    text = resources.files("crawler.extract").joinpath("data/gazetteer.json").read_text(encoding="utf-8")
    data: dict[str, list[dict[str, object]]] = json.loads(text)
    return data


@cache
def _default() -> Gazetteer:
    """The packaged gazetteer without operator additions, built once."""
    return Gazetteer(packaged_data())


def load_gazetteer(extra: Sequence[tuple[str, Sequence[str]]] = ()) -> Gazetteer:
    """Load the packaged gazetteer, adding the operator's units (name, aliases) from config."""
    if not extra:
        return _default()
    return Gazetteer(packaged_data(), extra)
