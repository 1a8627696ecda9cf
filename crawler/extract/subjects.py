"""Who a sentence addresses: its subject (lead) and the bodies after "phối hợp với" (support).

The subject is the run of bodies before the assigning verb ("Bộ Công an chủ trì …", "Giao Sở X …",
"Về kiến nghị …: Giao Bộ Y …", "Trên cơ sở …, Sở Z chủ trì …"); bodies inside the action are not.
"""

from __future__ import annotations

import re
from functools import partial

from crawler.extract.bodies import as_written, is_body_name, split_bodies
from crawler.extract.listheads import is_short_name
from crawler.extract.normalize import blanked, clean_text, fold
from crawler.extract.walkstate import ASKING, SUBJECT_HEAD, VERB_RE, VERBS, Walk

_LEAD_IN = re.compile(ASKING + r"\s+")
# "Thủ tướng Chính phủ yêu cầu Chủ tịch UBND các tỉnh …": the body asked is the subject, not the asker.
_ASKS = re.compile(r"[^,.;:]{0,80}?\s" + ASKING + r"\s+(?=" + SUBJECT_HEAD.pattern.lstrip("^") + ")")


# A leading adverbial clause before the subject ("Trên cơ sở …, Sở Xây dựng chủ trì …").
_ADVERBIAL = re.compile(
    r"^(?:trên cơ sở|căn cứ|sau khi|trong thời gian tới|đối với|trong (?:quý|tháng|năm|tuần)|từ nay đến"
    r"|theo kế hoạch|theo chỉ đạo|thực hiện chỉ đạo"
    r"|trong đó|đồng thời|bên cạnh đó|mặt khác|theo đó|cùng với đó|trước mắt"  # a discourse link
    r"|(?:đặc biệt,\s*|ngoài ra,\s*)?(?:để|nhằm))"
    r"(?:\s[^,:;]{0,200})?,\s*(?=\S)"
)
_CLAUSE_COMMA = re.compile(r",\s*")
_CLAUSE_END = re.compile(r"[.;]\s")
_MODAL_END = re.compile(r"(?:\s+(?:sẽ|cũng|đều|vẫn))+\s*$", re.IGNORECASE)


def adverbial_end(low: str) -> int:
    """Where a leading adverbial clause ends in folded text: at the first comma followed by a body or
    a verb ("Trên cơ sở …, Sở X chủ trì", "Đối với các khu, cụm công nghiệp đã được cấp nước, tiếp
    tục …"), else at its first comma."""
    first = _ADVERBIAL.match(low)
    if not first:
        return 0
    stop = _CLAUSE_END.search(low, first.start(), 300)  # the clause ends at "." or ";"
    for comma in _CLAUSE_COMMA.finditer(low, first.start(), stop.start() if stop else 300):
        if VERB_RE.match(low, comma.end()) or SUBJECT_HEAD.match(low[comma.end() :]):
            return comma.end()
    return first.end()


# The number of an inline item ("(x) Ủy ban nhân dân các tỉnh …", "(2) Bộ Y tế …").
_INLINE_ENUMERATOR = re.compile(r"\W*\((?:\d{1,2}|[ivx]{1,5})\)\W*")
_TOPIC = re.compile(r"về\s[^:]{3,300}:\s*")  # "Về kiến nghị ...: Giao Bộ X ..." (the task is the assignment)


# A Deputy Prime Minister named in person, who leads as written (the gold keeps the person).
_DEPUTY_PM = re.compile(r"Phó Thủ tướng(?:\s+Chính phủ)?(?:\s+[A-ZĐÀ-Ỹ][^\W\d_]*){2,4}(?!\w)")


_SUBJECT_WORDS = 45  # a subject may list a dozen bodies ("Các Bộ, cơ quan: Tài chính, Xây dựng, ...")


_SUPPORT_RE = re.compile(r"phối hợp(?:\s+chặt chẽ)?(?:\s+với)?\s+")


_LIST_COLON = re.compile(
    r"^(?:(?:chủ tịch|bộ trưởng|giám đốc|thủ trưởng)\s+)?(?:các\s+|(?:ủy ban nhân dân|ubnd) các\s+)?"
    r"(?:bộ|sở|tỉnh|thành phố|bộ,\s*cơ quan|bộ,\s*ngành|tỉnh,\s*thành phố)(?:\s+trực thuộc trung ương)?\s*:$"
)


# A generic noun on its own, or the law's "everyone" ("Cơ quan chủ trì thẩm tra …" cut at its role
# verb, "Cơ quan, tổ chức, cá nhân …"): no body is named.
_GENERIC_ONLY = re.compile(r"^(?:cơ quan|đơn vị)$|^cơ quan,\s*tổ chức,\s*cá nhân(?!\w)")
# A verb that also ends bodies' names ("Viện Kinh tế xây dựng"): before another verb, the name's end.
_NAME_FINAL = re.compile(r"xây dựng$")
# A list of ministries or departments under one head word, without a colon ("Các bộ Xây dựng, Tài
# chính và …"): a list item's name ("Xây dựng") is not the verb.
_BARE_LIST = re.compile(r"các\s+(?:bộ|sở)\s+(?![,;:])")
_LIST_ITEM_BEFORE = re.compile(r"(?:[,:]|\svà)\s*$")


def _list_item_before(masked: str, end: int) -> bool:
    """Tell whether the text before `end` closes a list item (a comma, a colon or "và"), testing
    only its tail: a match ends at the last non-space character, at most three after its start."""
    tail = len(masked[:end].rstrip())
    return bool(_LIST_ITEM_BEFORE.search(masked, max(0, tail - 3), end))


_SENTENCE = re.compile(r"[.;]\**\s+\**(?=[^\W\d_a-zđ])")


_PAST = re.compile(r"(?<!\w)(?:đã|đang|vừa|chưa)\s")


# Verb words used as nouns inside a subject: "tổ chức" listed between commas ("các cơ quan, tổ
# chức, cá nhân liên quan") and a role noun's attribute followed by the real verb ("Cơ quan phối
# hợp có trách nhiệm …", "Đơn vị chủ trì chủ động …"). Each branch holds a word `_may_use_nouns` tests.
_NOUN_USES = re.compile(
    r",\s(?P<noun>tổ chức)(?=\s*(?:,|và\s|(?:có\s+)?liên quan))"
    r"|(?:các|những)\s(?P<orgs>tổ chức)(?!\w)"  # "các tổ chức chính trị - xã hội": organizations
    r"|công\s(?P<works>trình)(?!\w)"  # "chất lượng công trình": works, not "trình" (submit)
    r"|(?:cơ quan|đơn vị|bộ phận)\s(?P<role>chủ trì|phối hợp|thực hiện)"
    r"(?=\s+(?:" + "|".join(VERBS) + r")(?!\w))"
)

_ITEM_GAP = re.compile(r"\s*[,;]\s*(?:và\s+)?|\s+và\s+")
_NAME_HEAD = re.compile(r"(?<!\w)(?:ban|tổ|hội đồng|trung tâm|văn phòng|ủy ban)\s$")
_NAME_HEAD_SPAN = 11  # the longest text `_NAME_HEAD` matches ("văn phòng", a space, a line break)


def _may_use_nouns(masked: str) -> bool:
    """Tell whether `_NOUN_USES` can match: each of its branches holds one of these words (a cheap
    test before a pattern that has no first character the engine could skip to)."""
    return any(word in masked for word in ("tổ chức", "trình", "cơ quan", "đơn vị", "bộ phận"))


def _mask_noun_uses(masked: str, action: str, skip: int) -> str:
    """Blank verb words that serve as nouns in a subject: those above, and verb words written with
    a capital after a body's head noun, which belong to its name ("Ban Chỉ đạo", "Tổ Công tác")."""
    spans = [m.span(m.lastgroup or 0) for m in _NOUN_USES.finditer(masked)] if _may_use_nouns(masked) else []
    spans += [
        m.span()
        for m in VERB_RE.finditer(masked, skip + 1, skip + 400)  # the subject's stretch
        if m.group() != ":"
        and action[m.start()].isupper()
        and _NAME_HEAD.search(masked, max(0, m.start() - _NAME_HEAD_SPAN), m.start())
    ]
    return blanked(masked, spans)


def sentence_starts(text: str, start: int, end: int) -> list[int]:
    """Where sentences after the first begin within a span (after ". " and a capital letter)."""
    return [m.end() for m in _SENTENCE.finditer(text, start, end)]


# A closing sentence whose subject assigns work to others ("Bộ X yêu cầu Thủ trưởng các cơ quan …"):
# its subject is the issuer, not the lead of the item it follows.
_ASSIGNS_OTHERS = re.compile(
    r"^[^.;:]{0,160}?\s" + ASKING + r"\s+"
    r"(?:thủ trưởng|chủ tịch|giám đốc|người đứng đầu|các|từng)(?!\w)"
)


def later_subject(text: str, walk: Walk) -> tuple[str, ...]:
    """The subject of a later sentence when the first sentence names none ("Công tác ... Các bộ,
    cơ quan, địa phương khẩn trương khắc phục ...")."""
    for cut in sentence_starts(text, 0, len(text)):
        sentence = clean_text(text[cut : cut + 300])
        subject = subject_of(sentence, walk)
        if subject and not _ASSIGNS_OTHERS.match(fold(sentence)):
            return subject
    return ()


def is_report(action: str) -> bool:
    """Tell whether a text reports work done or under way ("Sở Nội vụ đã phối hợp ...") rather
    than assigning it: "đã"/"đang" comes before any directive verb."""
    low = fold(action)
    low = low[adverbial_end(low) :]  # "Đối với các khu đã được cấp nước, tiếp tục …": that "đã" is not
    report = _PAST.search(low[:160])
    if not report:
        return False
    verb = VERB_RE.search(low[:160])
    return verb is None or verb.start() > report.start()


# A project role named by the body that holds it ("Nhà đầu tư (Tập đoàn Đèo Cả)"): the body leads.
_ROLE_NAMED = re.compile(
    r"(?i:nhà đầu tư|chủ đầu tư|nhà thầu|cơ quan chủ quản|đơn vị tư vấn)\s*\(\s*([^()]{3,80}?)\s*\)"
)


def subject_of(action: str, walk: Walk) -> tuple[str, ...]:
    """The units named as the subject at the start of a sentence ("Bộ Công an chủ trì ...")."""
    low = fold(action)
    enumerator = _INLINE_ENUMERATOR.match(low)
    start = enumerator.end() if enumerator else 0
    topic = _TOPIC.match(low, start)
    skip = topic.end() if topic else start + adverbial_end(low[start:])
    lead_in = _LEAD_IN.match(low, skip) or _ASKS.match(low, skip)
    skip = lead_in.end() if lead_in else skip
    person = _DEPUTY_PM.match(action, skip)
    if person:  # "Giao Phó Thủ tướng Chính phủ Trần Hồng Hà trực tiếp chỉ đạo …": the person leads
        return (" ".join(person.group().split()),)
    role = _ROLE_NAMED.match(action, skip)
    if role and is_body_name(role.group(1)):  # "Yêu cầu Nhà đầu tư (Tập đoàn Đèo Cả) rà soát …"
        return (as_written(role.group(1)),)
    if not SUBJECT_HEAD.match(low[skip:]) and not _known_at(action, skip, walk):
        return ()
    units: list[tuple[int, int]] = []
    for unit in walk.gazetteer.find_units(action, walk.province):
        units.append((unit.start, unit.end))
        if unit.start > 400:
            break
    masked = blanked(walk.gazetteer.mask_provinces(low), units)
    masked = _mask_noun_uses(masked, action, skip)
    listed_end, _ = walk.gazetteer.listed_units(action[skip:], walk.province)
    verb = VERB_RE.search(masked, skip + listed_end)
    listing = verb is not None and (
        (verb.group() == ":" and _LIST_COLON.match(low[skip : verb.end()]))
        or (_BARE_LIST.match(low, skip) and _list_item_before(masked, verb.start()))
    )
    if verb and listing:
        verb = next(
            (
                v
                for v in VERB_RE.finditer(masked, verb.end())
                if not _list_item_before(masked, v.start())
            ),
            None,
        )
    if verb and _NAME_FINAL.match(verb.group()) and VERB_RE.match(masked, verb.end() + 1):
        verb = VERB_RE.match(masked, verb.end() + 1)  # "Cục Kinh tế xây dựng chủ trì": a name's end
    run_end = _unit_run_end(action, skip, walk)
    if run_end and (verb is None or verb.start() > run_end.start() + 12):
        more = verb is not None and _only_bodies(action[run_end.start() : verb.start()], walk)
        verb = verb if more else run_end
    if not verb:
        return ()
    prefix = _MODAL_END.sub("", action[skip : verb.start()])  # "tỉnh X sẽ triển khai": "tỉnh X"
    if len(prefix.split()) > _SUBJECT_WORDS or _GENERIC_ONLY.match(fold(prefix).strip(" ,")):
        return ()
    return walk.subject_units(prefix)


def _known_at(action: str, at: int, walk: Walk) -> bool:
    """Tell whether a known body's name (or abbreviation: "EVN", "NHNN") starts at `at`."""
    return any(unit.start == at for unit in walk.gazetteer.find_units(action, walk.province))


def _only_bodies(text: str, walk: Walk) -> bool:
    """Tell whether a stretch after known units only lists more bodies (", Ban quản lý Khu …")."""
    text = re.sub(r"^[\s,;]*(?:và\s+)?", "", text).strip(" ,;")
    if not text or not re.match(r"^[,;]|\s*(?:và\s+)?\S", text):
        return False
    pieces = split_bodies(text)
    names = [n for p in pieces for n in re.split(r"\s*,\s*|\s+và\s+", p) if n]
    return bool(pieces) and (
        all(walk.units(p) or is_body_name(p) or _group_item(p, walk) for p in pieces)
        or all(walk.units(n) for n in names)
    )


def _group_item(piece: str, walk: Walk) -> bool:
    """Tell whether a piece continues a group's list ("…, đoàn thể Thành phố"): read with "các" it
    names a group, and it is short (a clause would be long)."""
    return len(piece.split()) <= 6 and not fold(piece).startswith("các ") and bool(walk.units("các " + piece))


def _unit_run_end(action: str, skip: int, walk: Walk) -> re.Match[str] | None:
    """Where a run of unit names opening a sentence ends, when no known verb follows them."""
    units = walk.gazetteer.find_units(action, walk.province)
    if not units or units[0].start != skip:
        return None
    end = units[0].end
    for unit in units[1:]:
        if not re.fullmatch(r"[\s,;]*(?:và\s*)?", action[end : unit.start]):
            break
        end = unit.end
    end = _short_names_end(action, end, fold(action[units[0].start : units[0].start + 4]), walk)
    tail = re.match(r"[\s,;]*(?:và\s+)?các\s+[^\W\d_]+(?:[\s,]+[^\W\d_]+){0,4}\s+liên quan", action[end:])
    end += tail.end() if tail else 0
    return re.compile(r"\s").search(action, end)


def _short_names_end(action: str, end: int, head: str, walk: Walk) -> int:
    """Where a run of ministries' short names after a "Bộ …" name ends ("Bộ Công an, Tư pháp,
    Tài chính khẩn trương …"): each item is read with the head word, longest name first."""
    prefix = {"bộ ": "Bộ ", "sở ": "Sở "}.get(head[:3])
    if prefix is None:
        return end
    canonical = partial(walk.gazetteer.canonical, province=walk.province)
    while gap := _ITEM_GAP.match(action, end):
        words = list(re.finditer(r"[^\s,;.]+", action[gap.end() : gap.end() + 80]))
        size = next(
            (
                k
                for k in range(min(len(words), 7), 0, -1)
                if is_short_name(prefix, action[gap.end() : gap.end() + words[k - 1].end()], canonical)
            ),
            0,
        )
        if not size:
            break
        end = gap.end() + words[size - 1].end()
    return end


def support_of(action: str, walk: Walk) -> tuple[str, ...]:
    """The coordinating units named after "phối hợp (với)"."""
    low = fold(action)
    m = _SUPPORT_RE.search(low)
    if not m:
        return ()
    tail = walk.masked(action)[m.end() : m.end() + 240]  # names blanked: "Bộ Xây dựng" is no verb
    stop = re.search(r"[.;:(]|(?<!\w)(?:" + "|".join(v for v in VERBS if v != "phối hợp") + r")(?!\w)", tail)
    phrase = action[m.end() : m.end() + (stop.start() if stop else len(tail))]
    return walk.units(phrase)
