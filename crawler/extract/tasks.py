"""Reading tasks out of blocks: headings give context, items and rows give tasks.

A walk over the blocks keeps what headings said (a lead unit, a deadline, the assigning document,
a default status) for the levels under them. Each task-bearing block is split where it holds two
separately dated pieces of work; each piece gets an action, lead and support units, a deadline,
references, a status and its place in the file.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.extract.aims import skips_aims
from crawler.extract.bodies import only_names_body
from crawler.extract.deadlines import CUE, STRONG, DeadlineMatch, best_deadline, find_deadlines
from crawler.extract.fields import DASHES, LEAD_LABEL, Group, apply_field, fill_field, names_roles
from crawler.extract.headings import heading_body, heading_context, opens_section, title_context, whole_units
from crawler.extract.intros import ASSIGNING, intro_level, intro_subject, is_intro
from crawler.extract.itemruns import after_item
from crawler.extract.normalize import clean_text, fold, trim_text, words_upto
from crawler.extract.quotes import ends_quotation, is_question_heading, quotes_norms
from crawler.extract.refs import find_status, own_number
from crawler.extract.rolelabels import labelled_roles
from crawler.extract.rows import read_row
from crawler.extract.segment import ARTICLE, FIELD, NUMBER, PARAGRAPH, Block, BlockKind
from crawler.extract.statements import (
    find_credit,
    has_caption_mark,
    is_caption,
    only_approves,
    states_the_law,
)
from crawler.extract.subjects import is_report, later_subject, sentence_starts, subject_of, support_of
from crawler.extract.walkstate import (
    ASKING,
    NO_SIBLING,
    STATISTIC,
    SUBJECT_HEAD,
    VERB_RE,
    Context,
    RawTask,
    Walk,
)
from crawler.models import Deadline

# Conditions, prohibitions, encouragements and captions assign nothing (CONVENTIONS.md).
_NOT_ASSIGNED = re.compile(
    r"^(?:trường hợp|trong trường hợp|nếu|không được|nghiêm cấm|cấm|khuyến khích|ảnh:|ảnh\s*\(|\(ảnh"
    r"|(?:trong\s+)?quá trình[^.;:]{0,60}?,\s*(?:nếu|trường hợp|khi có)(?!\w)"  # "Trong quá trình …, nếu …"
    # news prose telling what happened at a meeting ("Tại phiên họp, …", "Qua đó, …")
    r"|tại (?:phiên họp|hội nghị|buổi làm việc|cuộc họp|lễ|sự kiện)|(?:các )?đại biểu|trình bày|phát biểu"
    r"|qua đó"
    r"|(?:phạm vi|đối tượng|nguyên tắc|mục đích)[^:.;]{0,40}:"  # definitions ("Phạm vi, đối tượng: …")
    # a name given ("Tên chương trình: “…”", "Chủ đề: …", "Khẩu hiệu: …")
    r"|(?:tên (?:chương trình|đề án|dự án|kế hoạch|cuộc thi|hội thi|phong trào|giải thưởng)"
    r"|chủ đề|khẩu hiệu)\s*:"
    # a procedure's parts ("Trình tự thực hiện: …", "Hồ sơ gồm: …", "Tiêu chí đánh giá …: …")
    r"|(?:trình tự|cách thức|phương thức|hình thức|tiêu chí|điều kiện|hồ sơ|nguồn kinh phí|kinh phí)"
    r"[^:.;]{0,40}:"
    r"|toàn cảnh|quang cảnh"  # photo captions
    r"|(?:(?!phải|cần|phấn đấu|bảo đảm|đảm bảo)[^.;:]){0,80}\sđạt\s+\d+(?:[.,]\d+)?\s*%"  # figures reached
    r"|mục tiêu (?:của|chung|tổng quát|cụ thể)|mục tiêu (?:đề án|kế hoạch|chương trình)\s+(?:là|nhằm)"
    # a person's qualities or rights listed as criteria ("Có trình độ …", "Được hưởng …")
    r"|có (?:trình độ|năng lực|phẩm chất|bản lĩnh|uy tín|kinh nghiệm|quyết tâm|sức khỏe|tư duy|tầm nhìn"
    r"|khả năng|lập trường|đạo đức|bằng|chứng chỉ)"
    r"|được (?:hưởng|cơ quan|tạo điều kiện|cấp|ưu tiên|bố trí))(?!\w)"
)


_PERSON = re.compile(r"^(?:[A-ZĐ][^\W\d_]*\s+){1,3}[A-ZĐ][^\W\d_]*,\s")  # a person's name, then a title



_ANNOUNCED = re.compile(r"(?:ý kiến|kết luận|chỉ đạo|yêu cầu)\s+(?:như sau|sau đây)\s*:\s*(?=\S)")


_ANNOUNCING_END = re.compile(r"(?:ý kiến|kết luận|chỉ đạo|yêu cầu)\s+(?:như sau|sau đây)\s*:$")


# "Bộ Nội vụ chịu trách nhiệm về nội dung …": a body answering for the text, not a task.
_ANSWERS_FOR = re.compile(r"\W*[^.;:]{0,160}?\schịu trách nhiệm(?!\w)")
# What is left of a piece that only states a deadline once the deadline phrase is removed.
_ONLY_DEADLINE = re.compile(r"[\s*;:.,]*(?:thời hạn|thời gian|hoàn thành|hạn chót|thực hiện)?[\s*;:.,]*")


_QUOTED = re.compile(r"(?:giao|yêu cầu|đề nghị|chỉ đạo)\s*[*_]*\s*[“\"]([^”\"]{20,2000})[”\"]", re.IGNORECASE)


# A report-back clause: the report on the work just named, not another piece of work.
_REPORT_BACK = re.compile(r"\W*(?:và\s+)?báo cáo\s+(?:(?:kết quả|tình hình)\b|[^.;]{0,60}?\bkết quả\b)")
_ENUMERATED = re.compile(r";\s*(\**\s*\((\d{1,2}|[ivx]{1,4})\))")


_ENUM_FIRST = re.compile(r"(?:^|:)\s*\**\s*\((1|i)\)")


# A sentence turning from results to what comes next ("… được bảo đảm. Trong thời gian tới, Tỉnh …").
_FROM_NOW_ON = re.compile(r"(?:^|[.;!]\s+)((?:trong\s+)?thời gian tới\s*,)")
_GIVES = re.compile(  # "Giao/Đề nghị <a body> …"; not "Giao nhiệm vụ …" nor "đề nghị các đại biểu"
    r"^" + ASKING + r"\s+(?!các\s+(?:đồng chí\s+)?đại biểu)"
    r"(?=" + SUBJECT_HEAD.pattern.lstrip("^") + ")"
)
# A rule stated of an activity ("Việc kê khai … được thực hiện theo …"): a norm, not an assignment,
# unless it is held to a deadline ("Việc kê khai hoàn thành trước ngày 31/12/2025").
_RULE_OF_ACTIVITY = re.compile(r"^việc(?!\w)")
# A forecast in reporting prose ("… dự kiến hoàn thành vào quý IV/2025", "theo dự kiến … sẽ được
# hoàn thành"): what is expected to happen, which no one is assigned.
_FORECAST = re.compile(
    r"(?<!\w)(?:theo dự kiến|dự kiến (?:sẽ )?(?:được )?(?:hoàn thành|khánh thành|thông xe|đưa vào))"
)
# A paragraph opening with its number ("(1) Chỉ đạo …", "(ii) Phối hợp …") right under a sentence
# that names its addressee and announces items ("… yêu cầu Bộ Công an … như sau:"): one of them.
_NUMBERED_PARAGRAPH = re.compile(r"^\W*\((?:\d{1,2}|[ivx]{1,5})\)\s*\**\s*(?=[^\W\d_])")
_DIRECTIVE_CUE = re.compile(
    r"(?<!\w)(?:yêu cầu|giao|đề nghị|chỉ đạo|khẩn trương|phải|cần|tập trung|hoàn thành|sẽ|kế hoạch|chủ trì|"
    r"nhiệm vụ|thời hạn|báo cáo|trình|ban hành)(?!\w)"
)


@dataclass(frozen=True)
class Piece:
    """One task's text within a block: its span in the block text and its own deadline phrase."""

    start: int
    end: int
    deadline: DeadlineMatch | None


def walk_blocks(blocks: Sequence[Block], walk: Walk) -> list[RawTask]:
    """Walk a document's blocks, keeping heading context, and read the tasks of each block."""
    tasks: list[RawTask] = []
    group = Group()
    for index, block in enumerate(blocks):
        walk.leave_items(block)
        if _skips_quoted(block, walk) or skips_aims(block, walk):
            continue
        field_match = FIELD.match(block.low)
        if field_match and block.kind is not BlockKind.ROW:
            value, label = block.flat[field_match.end() :], field_match.group("label")
            apply_field(tasks, group, value, label, walk)
            group.awaiting = label if not value.strip(" *.;") and LEAD_LABEL.match(label) else ""
            continue
        if group.awaiting and block.mark in DASHES and names_roles(block.low):
            fill_field(tasks, group, block, walk)  # "+ Sở X chủ trì, phối hợp với …", "- Sở Y."
            continue
        if group.fields_seen:
            group = Group()
        if block.kind in (BlockKind.NUMBER, BlockKind.TITLE):
            walk.sibling, walk.anonymous_level = NO_SIBLING, None
        if block.kind is BlockKind.NUMBER:
            walk.number = own_number(block.text) or walk.number
            walk.stack.clear()
            continue
        if block.kind is BlockKind.TITLE:
            walk.stack.clear()
            walk.push(title_context(block.text, walk))
            continue
        if block.kind is not BlockKind.PARAGRAPH:
            walk.announced = False
            walk.pop_to(block.level if block.kind is not BlockKind.ROW else 50)
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        heading = heading_context(block, walk)
        titled = following is not None and bool(FIELD.match(following.low))  # a plan's task title
        if heading is None and opens_section(block, following) and not titled:
            flat = block.flat
            dated = best_deadline(find_deadlines(block.text, walk.year))
            heading = Context(
                block.level,
                lead=whole_units(flat, walk) or heading_body(flat, walk),
                deadline=dated.deadline if dated else None,
            )
        prose = block.kind is BlockKind.PARAGRAPH and not block.text.startswith("#")
        walk.unit_prose = walk.unit_prose and prose
        if heading is not None:
            walk.sibling, walk.anonymous_level = NO_SIBLING, None
            walk.push(heading)
            walk.unit_prose = block.kind is BlockKind.ITEM and block.level >= NUMBER and bool(heading.lead)
            group = Group()
            continue
        announcing = block.low.endswith((":", ":\n")) and _ANNOUNCING_END.search(block.low)  # ends ":$"
        intro = is_intro(block, following) or (block.kind is BlockKind.PARAGRAPH and bool(announcing))
        found = [] if intro else _read_block(block, walk, titled)
        after_item(block, found, walk)
        if found and group.first < 0:
            group.first = len(tasks)
        tasks += found
        if block.kind is not BlockKind.ROW and not found and block.text.rstrip(" *").endswith(":"):
            lead = intro_subject(block.flat, walk)
            if lead:
                walk.push(Context(intro_level(block, following, walk), lead=lead, announced=True))
        walk.announced = walk.announced or (block.kind is BlockKind.PARAGRAPH and bool(announcing))
    return tasks


def _skips_quoted(block: Block, walk: Walk) -> bool:
    """Keep track of quoted statutes and question-headed sections; tell whether a block is passed
    over: a quotation's introduction and clauses, and a question heading (which clears the
    addressees of the section before it)."""
    if is_question_heading(block):
        walk.stack.clear()
        walk.quoting = False
        return True
    if walk.quoting and ends_quotation(block):
        walk.quoting = False
    if quotes_norms(block):
        walk.quoting = True
    return walk.quoting


def _read_block(block: Block, walk: Walk, titled: bool = False) -> list[RawTask]:
    """Read the tasks of an item, paragraph or row; `titled` for a plan activity's short title whose
    labelled fields follow ("1. Hoàn thiện thể chế" then "- Cơ quan chủ trì: …")."""
    if block.kind is BlockKind.ROW:
        return read_row(block, walk)
    if block.level == ARTICLE:
        return _article_tasks(block, walk)
    flat = block.flat
    too_short = words_upto(flat, 5) < (4 if titled else 5)
    if too_short or (block.kind is BlockKind.ITEM and only_names_body(flat, VERB_RE)):
        return []  # too short, or a list of a body's departments ("Vụ Tổ chức cán bộ;")
    matches = find_deadlines(block.text, walk.year)
    quoted = _quoted(block.text)
    if block.level == PARAGRAPH and quoted:
        return [t for start, end in quoted for t in _read_span(block, start, end, walk)]
    announced = _ANNOUNCED.search(fold(block.text)) if block.level == PARAGRAPH else None
    if announced or (block.level == PARAGRAPH and walk.announced):
        found = _subject_sentences(block, announced.end() if announced else 0, walk)
        if found:
            return found
    dated = any(m.strength >= CUE for m in matches) and _DIRECTIVE_CUE.search(block.low)
    numbered = bool(_NUMBERED_PARAGRAPH.match(block.low) and walk.stack and walk.stack[-1].announced)
    under_unit = (  # "2. Sở Tài chính" then its prose, written verb first as items are
        block.level == PARAGRAPH
        and walk.unit_prose
        and bool(VERB_RE.match(block.low))
        and not block.low.rstrip(" *").endswith(":")
    )
    kept_prose = dated or numbered or under_unit or _assigns_by_name(flat, walk)
    if block.level == PARAGRAPH and not kept_prose:
        return []  # prose, unless dated, numbered under an addressee, under a unit's heading, or naming
        # the body it assigns
    if "dự kiến" in block.low and _FORECAST.search(block.low) and not subject_of(flat, walk):
        return []
    opens_with_unit = any(u.start == 0 for u in walk.gazetteer.find_units(flat, walk.province))
    addressed = (
        (block.kind is BlockKind.ITEM or under_unit)
        and bool(walk.inherited().lead)
        and len(flat.split()) >= 8
        and not (_PERSON.match(flat) and not SUBJECT_HEAD.match(fold(flat)))  # "Nguyễn Văn A, Phó …"
    )
    if (
        is_report(flat)
        or only_approves(block.low)
        or _NOT_ASSIGNED.match(block.low)
        or (_RULE_OF_ACTIVITY.match(block.low) and not any(m.strength >= STRONG for m in matches))
        or is_caption(flat)
        or states_the_law(block.low)
        or flat.rstrip(" *").endswith("?")
        or (
            not matches
            and not opens_with_unit
            and not addressed  # an item under a heading that names its lead is that lead's task
            and not _GIVES.match(block.low)  # "Đề nghị <a long name> tăng cường …" assigns
            and not VERB_RE.search(fold(" ".join(flat.split()[:14])).replace(":", " "))
            and not subject_of(flat, walk)  # a long subject before its verb ("Từng khối cơ quan và …")
        )
        or STATISTIC.search(flat[:160])
    ):
        return []
    start = _after_assigning_verb(block.text, matches) if block.level == PARAGRAPH and not numbered else 0
    credit = find_credit(block.text, start, start + 600)
    if credit:  # a photo caption run into the paragraph: the text after its credit is the prose
        start = credit.end()
        if is_report(clean_text(block.text[start:])):
            return []  # "… Ảnh: TÂM ĐAN. Sáng nay, Bộ trưởng … đã báo cáo …": reporting prose
    return _read_span(block, start, len(block.text), walk)


_ASKS_AFTER_COMMA = re.compile(r"[,;]\s+giao(?: cho)?\s+(?=" + SUBJECT_HEAD.pattern.lstrip("^") + ")")


def _assigned_after_comma(action: str, walk: Walk) -> tuple[str, ...]:
    """The body a clause after a comma assigns ("Đồng ý chủ trương …, giao Sở Xây dựng hoàn thiện
    hồ sơ"), when neither the item nor a heading names one."""
    asked = _ASKS_AFTER_COMMA.search(fold(action))
    return subject_of(action[asked.end() :], walk) if asked else ()


def _assigns_by_name(flat: str, walk: Walk) -> bool:
    """Tell whether prose opens by assigning a named body ("Giao Văn phòng Chính phủ theo dõi, đôn
    đốc …", "Đề nghị Bộ Y tế …"), which is a task even with no date."""
    return bool(_GIVES.match(fold(flat))) and bool(subject_of(flat, walk))


def _subject_sentences(block: Block, start: int, walk: Walk) -> list[RawTask]:
    """The tasks of prose after an announcing colon ("… có ý kiến như sau: Chủ tịch Ủy ban nhân dân
    tỉnh X khẩn trương …. Ủy ban nhân dân các tỉnh: A, B đẩy nhanh …"): each sentence that opens
    with the bodies it assigns and a verb is one task."""
    text = block.text
    cuts = [
        start + len(text[start:]) - len(text[start:].lstrip(" *\n")),
        *sentence_starts(text, start, len(text)),
    ]
    out: list[RawTask] = []
    for low, high in itertools.pairwise([*cuts, len(text)]):
        sentence = clean_text(text[low:high])
        if len(sentence.split()) >= 6 and not is_report(sentence) and subject_of(sentence, walk):
            out += _read_span(block, low, high, walk)
    return out


def _article_tasks(block: Block, walk: Walk) -> list[RawTask]:
    """The tasks of an article ("Điều 2. Giao Bộ trưởng Bộ X …. Bộ Y chủ trì …"): each sentence
    that opens with the bodies it assigns. "X chịu trách nhiệm …" answers for the text rather than
    assigning work (CONVENTIONS.md); the work after its semicolon is X's task."""
    text = block.text
    cuts = [0, *sentence_starts(text, 0, len(text)), len(text)]
    out: list[RawTask] = []
    for low, high in itertools.pairwise(cuts):
        sentence = clean_text(text[low:high])
        subject = subject_of(sentence, walk)
        if len(sentence.split()) < 6 or not subject or is_report(sentence):
            continue
        answerable = _ANSWERS_FOR.match(fold(text), low)
        if answerable:
            clause = text.find(";", answerable.end(), high)
            if clause < 0:
                continue
            low = clause + 1
        out += _read_span(block, low, high, walk, lead=subject)
    return out


def _after_assigning_verb(text: str, matches: list[DeadlineMatch]) -> int:
    """Where the assigned work starts in reporting prose: after "X yêu cầu/giao/đề nghị" (the
    last one before the first deadline), else at a sentence looking ahead ("Trong thời gian tới,
    Tỉnh tổ chức …", after the results), else at the paragraph's start."""
    first = next((m.start for m in matches if m.strength >= CUE), len(text))
    low = fold(text)
    cues = [m for m in ASSIGNING.finditer(low, 0, first)]
    if not cues:
        ahead = [m for m in _FROM_NOW_ON.finditer(low, 0, first)]
        return ahead[-1].start(1) if ahead else 0
    start = cues[-1].end()
    return start + len(text[start:]) - len(text[start:].lstrip())


def _quoted(text: str) -> list[tuple[int, int]]:
    """Spans of assignments quoted in reporting prose: giao “Các Bộ ... chủ động rà soát ...”."""
    if "“" not in text and '"' not in text:
        return []
    return [(m.start(1), m.end(1)) for m in _QUOTED.finditer(text)]


_NAME_WORDS = 14
# A clause after a semicolon, or a sentence that hands work to someone ("… năm 2025. Yêu cầu Nhà đầu
# tư …"; not "Đề nghị …", a closing appeal), opening with a capital: where another body's task may begin.
_CLAUSE = re.compile(r";\s+(?=[^\W\d_a-zđ])|\.\s+(?=(?:Yêu cầu|Giao)\s)")
# A clause whose body only joins the work before it ("Bộ Y, Bộ Z phối hợp thực hiện").
_JOINS_IN = re.compile(r"^(?:(?!chủ trì)[^;:]){0,160}?(?<!\w)(?:phối hợp|tham gia)(?!\w)")


def _read_span(
    block: Block, start: int, end: int, walk: Walk, lead: tuple[str, ...] = ()
) -> list[RawTask]:
    """Read the tasks of a span of a block, split into separately dated or enumerated pieces; `lead`
    stands before the headings' lead for pieces that name no body (an article's sentence)."""
    ctx = walk.inherited()
    out: list[RawTask] = []
    matches = [m for m in find_deadlines(block.text, walk.year) if start <= m.start < end]
    for piece in _pieces(block.text, matches, start, end, _lead_cuts(block.text, start, end, walk)):
        text = block.text[piece.start : piece.end]
        action = clean_text(text)
        if len(action.split()) < 4 or _NOT_ASSIGNED.match(fold(action)) or has_caption_mark(action[:400]):
            continue
        rest = action.replace(piece.deadline.deadline.raw or "", "") if piece.deadline else action
        if piece.deadline and _ONLY_DEADLINE.fullmatch(fold(rest)):
            continue  # "Thời hạn hoàn thành trước ngày 15/4/2026;": the date of the work before it
        roles = labelled_roles(action)
        piece_lead = (
            (walk.cell_units(roles.lead) if roles and roles.lead else ())
            or subject_of(action, walk)
            or later_subject(text, walk)
            or (out[-1].lead if out else ())
            or lead
            or ctx.lead
            or _assigned_after_comma(action, walk)
            or walk.sibling_lead(block)
        )
        deadline = piece.deadline.deadline if piece.deadline else (ctx.deadline or Deadline.none())
        refs = ctx.refs or ((walk.number,) if walk.number else ())
        out.append(
            RawTask(
                block,
                piece.start,
                trim_text(action),
                piece_lead,
                (walk.cell_units(roles.support) if roles and roles.support else ())
                or support_of(action, walk)
                or ctx.support,
                deadline,
                find_status(action) if ctx.status is None else ctx.status,
                refs,
            )
        )
    return out


def _lead_cuts(text: str, start: int, end: int, walk: Walk) -> list[int]:
    """Where a clause after a semicolon opens with another body and its own verb ("Bộ Xây dựng rà
    soát …; Bộ Tài chính chủ trì tham mưu …"): pieces with different leads are separate tasks
    (CONVENTIONS.md). A clause that only joins in ("…; Bộ Y phối hợp") stays with its work, and a
    list of addressees split by semicolons is one subject."""
    previous = subject_of(clean_text(text[start : start + 300]), walk)
    if not previous:
        return []
    cuts: list[int] = []
    for clause_start in _CLAUSE.finditer(text, start, end):
        cut = clause_start.end()
        clause = clean_text(text[cut : cut + 300])
        before = clean_text(text[cuts[-1] if cuts else start : clause_start.start()])
        lead = subject_of(clause, walk)
        if (
            lead
            and lead != previous
            and all(len(name.split()) <= _NAME_WORDS for name in lead)  # a name, not a clause
            and len(clause.split()) >= 6
            and not _JOINS_IN.match(fold(clause))
            and VERB_RE.search(walk.masked(before))
        ):
            cuts.append(cut)
            previous = lead
    return cuts


def _undated_sentence_after(text: str, last: DeadlineMatch, end: int) -> list[int]:
    """Where a new sentence of work begins after the sentence holding the last deadline ("…, hoàn
    thành trước ngày 31/12/2025 và báo cáo về Sở. Thực hiện kê khai …"): separately undated work."""
    stop = re.compile(r"\.\s+(?=[^\W\d_a-zđ])").search(text, last.end, end)
    if stop is None:
        return []
    sentence = fold(text[stop.end() : end])
    if len(sentence.split()) < 8 or not VERB_RE.match(sentence) or _REPORT_BACK.match(sentence):
        return []
    return [stop.end()]


def _pieces(text: str, matches: list[DeadlineMatch], start: int, end: int, by_lead: list[int]) -> list[Piece]:
    """Split a span where one separately dated piece of work ends and another begins, where another
    body's clause begins, and at enumerated items separated by semicolons ("(1) ...; (2) ...")."""
    strong = [m for m in matches if m.strength >= CUE]
    first = _ENUM_FIRST.search(text, start, end)
    digits = bool(first) and first is not None and first.group(1) == "1"
    enumerated = [
        m.start(1) for m in _ENUMERATED.finditer(text, start, end) if (m.group(2)[0].isdigit()) == digits
    ]
    cuts: list[int] = (enumerated if first else []) + by_lead
    for m, following in itertools.pairwise(strong):
        after = re.match(r"[\s*)\]]*([.;,])\s*", text[m.end :])
        if not after:
            continue
        cut = m.end + after.end()
        if after.group(1) == "," and not VERB_RE.match(fold(text[cut : cut + 40])):
            continue
        if _REPORT_BACK.match(fold(text[cut : following.start])):
            continue  # "…; báo cáo Thủ tướng kết quả trước ngày X" stays with its work (CONVENTIONS.md)
        after_next = re.split(r"[.;]", text[following.end : following.end + 300], maxsplit=1)[0]
        words = len(re.findall(r"\w+", clean_text(text[cut : following.start])))
        if words >= 5 or (words == 0 and len(after_next.split()) >= 5):
            cuts.append(cut)
    if strong:
        cuts += _undated_sentence_after(text, strong[-1], end)
    bounds = [start, *sorted(set(cuts)), end]
    pieces = []
    for low, high in itertools.pairwise(bounds):
        inside = [m for m in matches if low <= m.start < high]
        pieces.append(Piece(low, high, best_deadline(inside)))
    return pieces
