"""Headings and the context they give the items under them: a lead unit, a period, a document.

A heading is a unit's name ("1. Bộ Tài chính:", "3. Cục X"), a lead-in naming one ("Giao Sở Nội
vụ:", "Đối với Ủy ban nhân dân các tỉnh:", "Trách nhiệm của X:"), a period ("Nhiệm vụ tháng 8/2025"),
an assigning document ("Nhiệm vụ theo Nghị quyết số …"), an appendix title, or a short unpunctuated
item over deeper items (a section).
"""

from __future__ import annotations

import re
from dataclasses import replace

from crawler.extract.bodies import as_written, heading_body_name, is_body_name, split_bodies
from crawler.extract.deadlines import DeadlineMatch, find_deadlines
from crawler.extract.normalize import clean_text, fold
from crawler.extract.refs import document_numbers, overdue_title
from crawler.extract.segment import NUMBER, ROMAN, Block, BlockKind
from crawler.extract.walkstate import ASKING, SUBJECT_HEAD, VERB_RE, Context, Walk
from crawler.models import Status

HEADING_WORDS = 32  # a heading listing three bodies with their places runs to some thirty words
_HEADING_LEAD_IN = re.compile(
    r"^(?:" + ASKING + r"|đối với|(?:trách nhiệm|nhiệm vụ) của)\s+"  # "Trách nhiệm của X:"
)


_NO_TASK = re.compile(
    r"^(?:về|nhiệm vụ theo|nhiệm vụ chung|nhiệm vụ|khối|kết quả|tình hình|mục tiêu|"
    r"đánh giá|một số|tổ chức thực hiện|nội dung)\b"
)


def heading_body(text: str, walk: Walk) -> tuple[str, ...]:
    """A section heading that names one body the gazetteer does not list ("3. Cơ quan chủ trì giải
    quyết thủ tục đầu tư dự án" over items a-d), kept as written."""
    text = text.rstrip(" :")
    if not heading_body_name(text) or find_deadlines(text):
        return ()
    return walk.at_home([as_written(text)])


def opens_section(block: Block, following: Block | None) -> bool:
    """Tell whether a short unpunctuated item is a section heading: deeper items or an intro follow."""
    flat = block.flat
    if block.kind is not BlockKind.ITEM or following is None:
        return False
    if _bold_whole(block.text) and following.kind is BlockKind.ITEM and following.level > block.level:
        return True  # a bold headline over its bullets restates them (CONVENTIONS: not a task)
    deeper = following.kind is BlockKind.ITEM and following.level > block.level
    if deeper and block.level == NUMBER and len(flat.split()) <= 40 and not flat.endswith((".", ";", ":")):
        return True  # "1. Hoàn thành mục tiêu … trong năm 2025" over its a), b): a goal heading
    if deeper and block.level == NUMBER and _titled_sentence(block):
        return True  # "5. Nghiên cứu giải pháp thu hút … pháp luật." over its "-" activities
    if len(flat.split()) > 12:
        return False
    if flat.endswith((".", ";")) or find_deadlines(block.text):
        return False
    return deeper or (following.kind is BlockKind.PARAGRAPH and following.text.rstrip(" *").endswith(":"))


def _titled_sentence(block: Block) -> bool:
    """Tell whether a numbered item is one short sentence naming an activity, not a body's dated
    work: an activity's title closed by a period, as plans write them over their bullets."""
    flat = block.flat
    body = flat.rstrip(" .")
    return (
        flat.endswith(".")
        and len(flat.split()) <= 30
        and not re.search(r"[.:]\s", body)
        and not SUBJECT_HEAD.match(block.low)
        and not find_deadlines(block.text)
    )


def _bold_whole(text: str) -> bool:
    """Tell whether a block's text is bold from its first word to its last."""
    body = text.strip()
    if body.startswith("**"):
        return body.endswith("**") and body.count("**") == 2
    return body.endswith("**") and body.count("**") == 1  # opened before the cut list mark


def title_context(text: str, walk: Walk) -> Context:
    """Context from an appendix title: its assigning documents, period deadline, overdue status."""
    flat = clean_text(text)
    matches = [d for d in find_deadlines(flat, walk.year) if d.deadline.precision.value != "recurring"]
    due_words = re.search(r"(?<!chưa )hoàn thành", fold(flat))  # "chưa hoàn thành đến hết …" is a cut-off
    deadline = matches[-1].deadline if matches and due_words else None
    if deadline is not None:
        deadline = replace(deadline, raw=_phrase_around(flat, matches[-1]))
    refs = tuple(n for n in document_numbers(flat, cited_only=True) if not n.startswith("/"))
    return Context(
        -1.0, deadline=deadline, refs=refs[:1], status=Status.OVERDUE if overdue_title(flat) else None
    )


def _phrase_around(text: str, match: DeadlineMatch) -> str:
    """The heading words that carry a deadline ("THỜI HẠN HOÀN THÀNH 5 THÁNG CUỐI NĂM 2025")."""
    start = fold(text).rfind("thời hạn", 0, match.start)
    start = start if start >= 0 and match.start - start < 40 else match.start
    return text[start : match.end]


# A heading that gives the roles of its items' work: "Bộ Tài chính chủ trì, phối hợp với Bộ Nội vụ:".
_ROLE_HEADING = re.compile(r"^(?P<lead>.+?)\s+chủ trì(?:\s*,\s*phối hợp(?:\s+với)?\s+(?P<support>.+))?$")


def role_heading(flat: str, level: float, walk: Walk) -> Context | None:
    """The context of a heading naming who leads and who coordinates the work under it, if it is
    one: both parts must be nothing but names."""
    m = _ROLE_HEADING.match(fold(flat).rstrip(" :;."))
    if m is None or len(flat.split()) > 30:
        return None
    lead = whole_units(flat[: m.end("lead")], walk)
    support = whole_units(flat[m.start("support") : m.end("support")], walk) if m.group("support") else ()
    if not lead or (m.group("support") and not support):
        return None
    return Context(level, lead=lead, support=support)


def heading_context(block: Block, walk: Walk) -> Context | None:
    """If a block is a heading (a unit, a period, a document, a section name), its context."""
    flat = block.flat.rstrip(" :;.")
    low = block.low.rstrip(" :;.")  # folding keeps these marks, so this is fold(flat)
    words = flat.split()
    if not words or len(words) > 40:
        return None
    heading_like = not block.flat.rstrip(" *").endswith((".", ";"))
    if block.kind is BlockKind.ITEM and heading_like and (roles := role_heading(flat, block.level, walk)):
        return roles
    if block.level == ROMAN or (len(words) <= 14 and flat.isupper()):
        owner = re.search(r"(?<!\w)của\s+(.+)$", flat, re.IGNORECASE)
        lead = walk.units(owner.group(1)) if owner else (whole_units(flat, walk) if len(words) <= 8 else ())
        return Context(block.level, lead=lead)
    if len(words) <= 12 and re.match(r"^nhiệm vụ\b", low) and (deadlines := find_deadlines(flat, walk.year)):
        d = deadlines[-1]
        return Context(block.level, deadline=replace(d.deadline, raw=flat))
    if len(words) <= 12 and re.match(r"^nhiệm vụ theo\b", low):
        refs = tuple(document_numbers(flat)) or (flat[len("Nhiệm vụ theo ") :],)
        return Context(block.level, refs=refs)
    # an item telling work in a full sentence is not a heading naming its lead
    sentence = block.kind is BlockKind.ITEM and block.flat.rstrip(" *").endswith(".") and len(words) > 8
    short = len(words) <= HEADING_WORDS or flat.endswith(")")  # or a head with its members listed
    lead = whole_units(flat, walk) if short and not sentence else ()
    if not lead and block.kind is BlockKind.ITEM and len(words) <= 16:
        lead = _listed_bodies(flat, walk)
    if lead:
        return Context(block.level, lead=lead)
    if len(words) <= 8 and _NO_TASK.match(low) and not find_deadlines(flat, walk.year):
        return Context(block.level)
    return None


def _listed_bodies(text: str, walk: Walk) -> tuple[str, ...]:
    """The bodies a heading lists when every piece of it is a body's name or a group ("3. Cục Điện
    ảnh, Cục Du lịch Quốc gia Việt Nam"; "Hội Nông dân tỉnh và các tổ chức thành viên của Mặt
    trận"), the gazetteer knowing some or none of them; a dated line is work
    ("Công an tỉnh hoàn thành trước 31/12/2026"), not a heading."""
    if find_deadlines(text, walk.year):
        return ()
    pieces = split_bodies(text)
    named = [bool(walk.gazetteer.canonical(p, walk.province) or is_body_name(p)) for p in pieces]
    grouped = [i > 0 and any(named[:i]) and _whole_group(p, walk) for i, p in enumerate(pieces)]
    if not pieces or not all(n or g for n, g in zip(named, grouped, strict=True)):
        return ()
    return walk.subject_units(text)


def _whole_group(piece: str, walk: Walk) -> bool:
    """Tell whether a piece is, word for word, a group the gazetteer reads ("các tổ chức thành viên
    của Mặt trận") whose head noun may be a verb-like word ("tổ chức") and the rest is no clause
    ("các trường hợp phải điều chỉnh …" is one)."""
    found = walk.units(piece)
    key = fold(piece).strip(" .,;:*")
    words = key.split()
    if words[:1] != ["các"] or len(found) != 1 or fold(found[0]) != key:
        return False
    return not VERB_RE.search(walk.masked(" ".join(words[3:])))


_ASKS_AFTER = re.compile(r"(?<=\w)\s+" + ASKING + r"(?!\w)")


def whole_units(text: str, walk: Walk) -> tuple[str, ...]:
    """The units a heading names if the heading is nothing but unit names (no verb, short); a role
    after a dash ("Sở Tài chính - Cơ quan thường trực Ban Chỉ đạo") describes the body before it."""
    named = re.split(r"\s+[-–]\s+", text, maxsplit=1)
    if len(named) == 2 and whole_units(named[0], walk):
        return whole_units(named[0], walk)
    lead_in = _HEADING_LEAD_IN.match(fold(text))
    if lead_in:  # "1.3. Giao Ủy ban nhân dân các phường, xã", "Đối với Ủy ban nhân dân các tỉnh:"
        text = text[lead_in.end() :]
        if lead_in.group().endswith("của ") and len(text.split()) <= HEADING_WORDS:
            return walk.units(text)  # "Trách nhiệm của X:" names X, whatever words X is written with
    end, members = walk.gazetteer.listed_units(text, walk.province)
    if members and not text[end:].strip(" *:;.,"):
        return members  # "Các cơ quan tham mưu quản lý ngành (gồm các Sở: …)": a describing head
    if len(text.split()) > HEADING_WORDS or not SUBJECT_HEAD.match(fold(text)):
        return ()
    ungrouped = ", ".join(p for p in split_bodies(text) if not _whole_group(p, walk))
    if VERB_RE.search(walk.masked(ungrouped).replace(":", " ")) or _ASKS_AFTER.search(fold(ungrouped)):
        return ()  # a sentence, or "Thủ tướng yêu cầu Bộ X như sau": an address, not names
    return _listed_bodies(text, walk) or walk.units(text)  # unlisted bodies kept beside known ones
