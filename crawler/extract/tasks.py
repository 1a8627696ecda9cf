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
from dataclasses import dataclass, field, replace

from crawler.extract.bodies import as_written, heading_body_name, is_body_name, split_bodies
from crawler.extract.deadlines import CUE, DeadlineMatch, best_deadline, find_deadlines
from crawler.extract.normalize import fold
from crawler.extract.places import province_lists
from crawler.extract.refs import document_numbers, find_status, overdue_title, own_number
from crawler.extract.segment import PARAGRAPH, ROMAN, Block, BlockKind
from crawler.extract.units import Gazetteer
from crawler.models import Deadline, Precision, Status

_VERBS = (
    "chủ trì",
    "phối hợp",
    "khẩn trương",
    "chỉ đạo",
    "tiếp tục",
    "thực hiện",
    "triển khai",
    "có trách nhiệm",
    "chủ động",
    "rà soát",
    "xây dựng",
    "tổ chức",
    "hoàn thành",
    "nghiên cứu",
    "tham mưu",
    "ban hành",
    "tập trung",
    "theo dõi",
    "bảo đảm",
    "đảm bảo",
    "đẩy mạnh",
    "hướng dẫn",
    "phát huy",
    "cung cấp",
    "trình",
    "gửi",
    "báo cáo",
    "sớm",
    "thành lập",
    "xử lý",
    "kiểm tra",
    "ưu tiên",
    "quán triệt",
    "cập nhật",
    "phải",
    "cần",
    "đôn đốc",
    "tăng cường",
    "nâng cao",
    "khắc phục",
    "đề xuất",
    "quyết liệt",
    "số hóa",
    "hoàn thiện",
    "nghiêm túc",
    "chịu trách nhiệm",
    "huy động",
    "bố trí",
    "tiếp nhận",
    "theo chức năng",
    "căn cứ",
    "được giao",
    "lựa chọn",
    "tham gia",
    "phát triển",
    "đánh giá",
    "ứng dụng",
    "chuẩn bị",
    "hỗ trợ",
    "vận hành",
    "công bố",
    "làm việc",
    "thống nhất",
    "kết nối",
    "chia sẻ",
    "tích hợp",
    "sắp xếp",
    "xác định",
    "thúc đẩy",
    "đẩy nhanh",
    "giải quyết",
    "tháo gỡ",
    "phê duyệt",
    "duy trì",
    "vận động",
    "tuyên truyền",
    "thẩm định",
    "giám sát",
    "tiến hành",
    "điều chỉnh",
    "chấp hành",
    "trả lời",
    "khảo sát",
    "tổng hợp",
)
_VERB_RE = re.compile(r"(?<!\w)(?:" + "|".join(_VERBS) + r")(?!\w)|:|\(\s*(?:i|1)\s*\)")
_SUBJECT_HEAD = re.compile(
    r"^(?:bộ|các|sở|ủy ban|ubnd|ban|văn phòng|đảng ủy|tỉnh ủy|thành ủy|công an|thanh tra|ngân hàng|"
    r"tòa án|viện|"
    r"cơ quan|đài|tập đoàn|bảo hiểm|kiểm toán|trung tâm|thành phố|tỉnh|hội đồng|đồng chí|chủ tịch|thủ tướng|"
    r"bộ trưởng|thủ trưởng|giám đốc|người đứng đầu|lãnh đạo|tổ|từng|mỗi|ngành|đại học|thông tấn)(?!\w)"
)
_LEAD_IN = re.compile(r"(?:giao|đề nghị|yêu cầu|giao cho)\s+")
# A leading adverbial clause before the subject ("Trên cơ sở …, Sở Xây dựng chủ trì …").
_ADVERBIAL = re.compile(
    r"^(?:trên cơ sở|căn cứ|sau khi|trong thời gian tới|đối với)\s[^,:;]{0,200},\s*(?=\S)"
)
_HEADING_LEAD_IN = re.compile(r"^(?:giao cho|giao|đối với|đề nghị|yêu cầu)\s+")
_TOPIC = re.compile(r"^về\s[^:]{3,300}:\s*")  # "Về kiến nghị ...: Giao Bộ X ..." (the task is the assignment)
# Conditions, prohibitions, encouragements and captions assign nothing (CONVENTIONS.md).
_NOT_ASSIGNED = re.compile(
    r"^(?:trường hợp|trong trường hợp|nếu|không được|nghiêm cấm|cấm|khuyến khích|ảnh:|ảnh\s*\(|\(ảnh"
    # news prose telling what happened at a meeting ("Tại phiên họp, …", "Qua đó, …")
    r"|tại (?:phiên họp|hội nghị|buổi làm việc|cuộc họp|lễ|sự kiện)|các đại biểu|trình bày|phát biểu|qua đó"
    r"|mục tiêu (?:của|chung|tổng quát|cụ thể)|mục tiêu (?:đề án|kế hoạch|chương trình)\s+(?:là|nhằm))(?!\w)"
)
_CAPTION = re.compile(r"[-–(]\s*(?:Ảnh|ẢNH|Nguồn ảnh)\s*:", re.IGNORECASE)  # "… - Ảnh: VGP/Nhật Bắc"
_ANNOUNCED = re.compile(r"(?:ý kiến|kết luận|chỉ đạo|yêu cầu)\s+(?:như sau|sau đây)\s*:\s*(?=\S)")
_ANNOUNCING_END = re.compile(r"(?:ý kiến|kết luận|chỉ đạo|yêu cầu)\s+(?:như sau|sau đây)\s*:$")
_LEADS_HERE = re.compile(r"\s+chủ trì(?!\w)")
_INTRO_END = re.compile(r"(?:sau|như sau|cụ thể(?: như sau)?|bao gồm|gồm|sau đây|trong đó)\s*:$")
_CLAUSE_COMMA = re.compile(r",\s+(?=(?:các|ủy ban|ubnd|sở|bộ|ban)\s)")
_SUBJECT_WORDS = 45  # a subject may list a dozen bodies ("Các Bộ, cơ quan: Tài chính, Xây dựng, ...")
_SUPPORT_RE = re.compile(r"phối hợp(?:\s+chặt chẽ)?(?:\s+với)?\s+")
_RELATION_BEFORE = re.compile(
    r"(?:với|cho|gửi|của|tại|về|trình|qua|và|thuộc|giữa|từ|đến|do|theo|các|tới)\s*$"
)
_MARKUP = re.compile(r"\*+|__|<sup>.*?</sup>|<[^>]{1,20}>|^#+\s*", re.MULTILINE)
_NO_TASK = re.compile(
    r"^(?:về|nhiệm vụ theo|nhiệm vụ chung|nhiệm vụ|khối|kết quả|tình hình|mục tiêu|"
    r"đánh giá|một số|tổ chức thực hiện|nội dung)\b"
)
_CELL_START = re.compile(
    r"^(?:thông báo|tbkl|chỉ thị|nghị quyết|kế hoạch|quyết định|công văn|công điện|"
    r"kết luận|văn bản|đề án|thường xuyên|tháng|quý|năm|hằng|hàng|trước|đã|đang|chưa|"
    r"\d{1,2}\s*[/-]|\d{4}-)"
)


_REF_CELL = re.compile(
    r"(?:(?:thông báo|tbkl|chỉ thị|nghị quyết|nghị định|kế hoạch|quyết định|công văn|công điện|kết luận|"
    r"văn bản|quy định)(?:\s+kết luận)?(?:\s+số)?\s*)?\d{1,5}(?:/\d{4})?\s?[-/]\s?[A-ZĐ][\w&.\-/ ]{0,25}?"
    r"(?=\s|$|[,;])(?:\s*,?\s*ngày\s*\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4})?",
    re.IGNORECASE,
)
_CELL_END = re.compile(
    r"(?<!\w)(?:tháng\s+\d|quý\s|năm\s+\d|thường\s+xuyên|trước|hằng\s+(?:tháng|năm|quý)|hàng\s+(?:tháng|năm|quý)|"
    r"đã|đang|chưa|hoàn thành|quyết định|nghị định|nghị quyết|đề án|chiến lược|kế hoạch|báo cáo|văn bản|"
    r"thông tư|luật|chương trình|hệ thống|được|đi vào|vận hành|trung tâm)(?!\w)|\d{1,2}\s*[/-]\s*\d"
)


_RESULT_WORDS = (2, 16)  # a required-result cell is a short phrase ("Chiến lược được ban hành")
_DATE_LEAD_INS = frozenset(
    {"trong", "trước", "ngày", "đến", "tháng", "quý", "năm", "hạn", "nhất", "vào", "từ"}
)
_QUOTED = re.compile(r"(?:giao|yêu cầu|đề nghị|chỉ đạo)\s*[*_]*\s*[“\"]([^”\"]{20,2000})[”\"]", re.IGNORECASE)
_ENUMERATED = re.compile(r";\s*(\**\s*\((\d{1,2}|[ivx]{1,4})\))")
_ENUM_FIRST = re.compile(r"(?:^|:)\s*\**\s*\((1|i)\)")
_LIST_COLON = re.compile(
    r"^(?:chủ tịch\s+)?(?:các\s+|ủy ban nhân dân các\s+)?"
    r"(?:bộ|sở|tỉnh|thành phố|bộ,\s*cơ quan|bộ,\s*ngành|tỉnh,\s*thành phố)(?:\s+trực thuộc trung ương)?\s*:$"
)
_ASSIGNERS = frozenset({"Chính phủ", "Thủ tướng Chính phủ", "Quốc hội", "Bộ Chính trị", "Ban Bí thư"})
_STATISTIC = re.compile(r"^[^:]{3,80}:\s*(?:\d+\s*/\s*\d+|\d+(?:[.,]\d+)?\s*%)")
_ASSIGNING = re.compile(r"(?<!\w)(?:yêu cầu|giao cho|giao|đề nghị)(?!\w)\s*:?")
_LIST_ITEM_BEFORE = re.compile(r"(?:[,:]|\svà)\s*$")
_SENTENCE = re.compile(r"[.;]\**\s+\**(?=[^\W\d_a-zđ])")
_PAST = re.compile(r"(?<!\w)(?:đã|đang|vừa|chưa)\s")
_DIRECTIVE_CUE = re.compile(
    r"(?<!\w)(?:yêu cầu|giao|đề nghị|chỉ đạo|khẩn trương|phải|cần|tập trung|hoàn thành|sẽ|kế hoạch|chủ trì|"
    r"nhiệm vụ|thời hạn|báo cáo|trình|ban hành)(?!\w)"
)


@dataclass(frozen=True)
class Context:
    """What headings above a block said: lead units, deadline, assigning documents, default status."""

    level: float
    lead: tuple[str, ...] = ()
    deadline: Deadline | None = None
    refs: tuple[str, ...] = ()
    status: Status | None = None


@dataclass(frozen=True)
class Piece:
    """One task's text within a block: its span in the block text and its own deadline phrase."""

    start: int
    end: int
    deadline: DeadlineMatch | None


@dataclass
class Walk:
    """The running state of a walk over a document's blocks."""

    gazetteer: Gazetteer
    province: str | None
    year: int | None
    number: str | None
    home: str | None = None  # the province the text keeps naming, for "Công an thành phố" alone
    stack: list[Context] = field(default_factory=list)
    announced: bool = False  # prose after "… có ý kiến như sau:": its sentences assign work
    resolved: dict[str, tuple[str, ...]] = field(default_factory=dict)  # units() per phrase, this document

    def units(self, phrase: str) -> tuple[str, ...]:
        """Resolve a unit phrase (cached for the document: cells and headings repeat)."""
        found = self.resolved.get(phrase)
        if found is None:
            found = self.resolved[phrase] = self._units(phrase)
        return found

    def _units(self, phrase: str) -> tuple[str, ...]:
        """Resolve a unit phrase: province lists one body per province, level-only local bodies
        completed with the home province."""
        if self.home and fold(phrase).strip(" *,.:;") in ("tỉnh", "thành phố"):
            return (self.home[0].upper() + self.home[1:],)  # "Tỉnh căn cứ ..." in a letter about it
        lists = province_lists(phrase, self.gazetteer.provinces) if "," in phrase or " và " in phrase else []
        if not lists:
            return self.at_home(self.gazetteer.resolve(phrase, self.province))
        names: list[str] = []
        cursor = 0
        for found in lists:
            names += self._between(phrase[cursor : found.start])
            names += found.names
            cursor = found.end
        return tuple(dict.fromkeys(names + self._between(phrase[cursor:])))

    def _between(self, text: str) -> list[str]:
        """The units of the words around a province list, if any."""
        text = re.sub(r"^[\s,;]*(?:và\s+)?|[\s,;]*(?:và)?\s*$", "", text)
        return list(self.at_home(self.gazetteer.resolve(text, self.province))) if text else []

    def at_home(self, names: Sequence[str]) -> tuple[str, ...]:
        """Complete level-only names ("Công an tỉnh") with the home province."""
        if not self.home:
            return tuple(names)
        level = "thành phố" if self.home.startswith("thành phố ") else "tỉnh"
        name = self.home[len(level) + 1 :]
        return tuple(
            f"{n} {name}" if n.endswith(f" {level}") and not n.startswith("Các") else n for n in names
        )

    def subject_units(self, phrase: str) -> tuple[str, ...]:
        """The bodies a subject phrase names: known ones, and unlisted ones read by their head noun
        ("Ban quản lý Khu Kinh tế Phú Yên") kept as written."""
        known = self.units(phrase)
        pieces = split_bodies(phrase)
        if not any(is_body_name(p) and not self._names_exactly(p) for p in pieces):
            return known
        ordered: list[str] = []
        handled = 0
        for piece in pieces:
            exact = self._names_exactly(piece)
            if exact or is_body_name(piece):
                ordered += exact or self.at_home([as_written(piece)])
                handled += 1
        return tuple(dict.fromkeys(ordered if handled == len(pieces) else [*ordered, *known]))

    def _names_exactly(self, piece: str) -> tuple[str, ...]:
        """The units a piece names, unless the only reading turns one body into a group ("Cơ quan
        tiếp nhận hồ sơ" read as "Các cơ quan …")."""
        found = self.units(piece)
        grouped = len(found) == 1 and fold(found[0]).startswith("các ") and not fold(piece).startswith("các ")
        return () if grouped else found

    def inherited(self) -> Context:
        """Merge the contexts in force (innermost wins) into one."""
        merged = Context(level=99)
        for ctx in self.stack:
            merged = Context(
                99,
                ctx.lead or merged.lead,
                ctx.deadline or merged.deadline,
                ctx.refs or merged.refs,
                ctx.status or merged.status,
            )
        return merged

    def push(self, ctx: Context) -> None:
        """Enter a heading's context, leaving those at its level or deeper."""
        self.pop_to(ctx.level)
        self.stack.append(ctx)

    def pop_to(self, level: float) -> None:
        """Leave the contexts at `level` or deeper."""
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()


@dataclass(frozen=True)
class RawTask:
    """A task before provenance: its block, span and read fields."""

    block: Block
    start: int
    action: str
    lead: tuple[str, ...]
    support: tuple[str, ...]
    deadline: Deadline
    status: Status | None
    refs: tuple[str, ...]
    result: str = ""


def clean_text(text: str) -> str:
    """Display text of a span: markup removed, lines joined, spaces collapsed."""
    if "*" in text or "_" in text or "<" in text or "#" in text:
        text = _MARKUP.sub("", text)
    return " ".join(text.split())


_FIELD = re.compile(
    r"^(?:[a-zđ]\)\s*|[-+•]\s*)?(?P<label>(?:đơn vị|cơ quan)(?:\s+(?:chủ trì|thực hiện|phối hợp|tham mưu))+"
    r"|cơ quan thực hiện|thời gian(?:\s+(?:thực hiện|hoàn thành))?|thời hạn(?:\s+hoàn thành)?|tiến độ)"
    r"[^:\n]{0,20}:\s*"
)


@dataclass
class Group:
    """Task items waiting for the labelled fields that follow them ("Đơn vị chủ trì: ...")."""

    first: int = -1  # index in the task list of the group's first task
    fields_seen: bool = False


def walk_blocks(blocks: Sequence[Block], walk: Walk) -> list[RawTask]:
    """Walk a document's blocks, keeping heading context, and read the tasks of each block."""
    tasks: list[RawTask] = []
    group = Group()
    for index, block in enumerate(blocks):
        field_match = _FIELD.match(fold(clean_text(block.text)))
        if field_match and block.kind is not BlockKind.ROW:
            _apply_field(
                tasks, group, clean_text(block.text)[field_match.end() :], field_match.group("label"), walk
            )
            continue
        if group.fields_seen:
            group = Group()
        if block.kind is BlockKind.NUMBER:
            walk.number = own_number(block.text) or walk.number
            walk.stack.clear()
            continue
        if block.kind is BlockKind.TITLE:
            walk.stack.clear()
            walk.push(_title_context(block.text, walk))
            continue
        if block.kind is not BlockKind.PARAGRAPH:
            walk.announced = False
            walk.pop_to(block.level if block.kind is not BlockKind.ROW else 50)
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        heading = _heading_context(block, walk)
        if heading is None and _opens_section(block, following):
            flat = clean_text(block.text)
            heading = Context(block.level, lead=_whole_units(flat, walk) or _heading_body(flat, walk))
        if heading is not None:
            walk.push(heading)
            group = Group()
            continue
        announcing = _ANNOUNCING_END.search(fold(clean_text(block.text)))
        intro = _is_intro(block, following) or (block.kind is BlockKind.PARAGRAPH and bool(announcing))
        found = [] if intro else _read_block(block, walk)
        if found and group.first < 0:
            group.first = len(tasks)
        tasks += found
        if block.kind is not BlockKind.ROW and not found and block.text.rstrip(" *").endswith(":"):
            lead = _intro_subject(clean_text(block.text), walk)
            if lead:
                walk.push(Context(_intro_level(block, walk), lead=lead))
        walk.announced = walk.announced or (block.kind is BlockKind.PARAGRAPH and bool(announcing))
    return tasks


def _intro_level(block: Block, walk: Walk) -> float:
    """The outline level of an introducing sentence's context: under an item, just below it; a
    paragraph just below the heading in force, or above every item when none is."""
    if block.kind is not BlockKind.PARAGRAPH:
        return block.level + 0.1
    return walk.stack[-1].level + 0.01 if walk.stack else -0.5


def _is_intro(block: Block, following: Block | None) -> bool:
    """Tell whether a block introduces the items after it ("… thực hiện những nội dung sau:")
    rather than assigning work of its own: it ends with an announcing colon and items follow."""
    if following is None or following.kind not in (BlockKind.ITEM, BlockKind.ROW):
        return False
    flat = fold(clean_text(block.text))
    deeper = following.level > block.level and len(flat.split()) <= 30
    return bool(_INTRO_END.search(flat)) or (flat.endswith(":") and deeper)


def _intro_subject(text: str, walk: Walk) -> tuple[str, ...]:
    """The bodies an introducing sentence addresses: its subject, else the subject after the
    assigning verb ("… yêu cầu Giám đốc các sở … thực hiện:"), else after a purpose clause ("Để …,
    các Sở, ngành … triển khai:")."""
    found = _subject(text, walk)
    if found:
        return found
    low = fold(text)
    starts = [m.end() for m in _ASSIGNING.finditer(low)] + [m.end() for m in _CLAUSE_COMMA.finditer(low)]
    for start in sorted(starts):
        rest = text[start:].lstrip(" ,:")
        found = _subject(rest, walk)
        if found:
            return found
    return ()


def _heading_body(text: str, walk: Walk) -> tuple[str, ...]:
    """A section heading that names one body the gazetteer does not list ("3. Cơ quan chủ trì giải
    quyết thủ tục đầu tư dự án" over items a-d), kept as written."""
    text = text.rstrip(" :")
    if not heading_body_name(text) or find_deadlines(text):
        return ()
    return walk.at_home([as_written(text)])


def _opens_section(block: Block, following: Block | None) -> bool:
    """Tell whether a short unpunctuated item is a section heading: deeper items or an intro follow."""
    flat = clean_text(block.text)
    if block.kind is not BlockKind.ITEM or following is None:
        return False
    if _bold_whole(block.text) and following.kind is BlockKind.ITEM and following.level > block.level:
        return True  # a bold headline over its bullets restates them (CONVENTIONS: not a task)
    if len(flat.split()) > 12:
        return False
    if flat.endswith((".", ";")) or find_deadlines(block.text):
        return False
    deeper = following.kind is BlockKind.ITEM and following.level > block.level
    return deeper or (following.kind is BlockKind.PARAGRAPH and following.text.rstrip(" *").endswith(":"))


def _bold_whole(text: str) -> bool:
    """Tell whether a block's text is bold from its first word to its last."""
    body = text.strip()
    if body.startswith("**"):
        return body.endswith("**") and body.count("**") == 2
    return body.endswith("**") and body.count("**") == 1  # opened before the cut list mark


def _apply_field(tasks: list[RawTask], group: Group, value: str, label: str, walk: Walk) -> None:
    """Apply a labelled field (lead, support or deadline) to the task items above it, which
    together form one task."""
    if group.first < 0 or group.first >= len(tasks):
        return
    members = tasks[group.first :]
    if len({t.lead for t in members if t.lead}) > 1:  # items with leads of their own stay separate
        for index in range(group.first, len(tasks)):
            tasks[index] = _with_field(tasks[index], value, label, walk)
        group.fields_seen = True
        return
    if not group.fields_seen and len(tasks) - group.first > 1:
        merged = tasks[group.first :]
        action = " ".join(t.action for t in merged)[:300]
        tasks[group.first :] = [replace(merged[0], action=action)]
    group.fields_seen = True
    tasks[group.first] = _with_field(tasks[group.first], value, label, walk)


def _with_field(task: RawTask, value: str, label: str, walk: Walk) -> RawTask:
    """A task with a labelled field's value applied (its deadline, support or lead)."""
    value = value.strip(" *.;")
    if label.startswith("thời") or label.startswith("tiến"):
        found = best_deadline(find_deadlines(value, walk.year, cells=True))
        return replace(task, deadline=found.deadline if found else Deadline.none())
    if "phối hợp" in label:
        return replace(task, support=walk.units(value))
    lead_at = _LEADS_HERE.search(fold(value))
    if lead_at:  # "Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với các sở, ban, ngành"
        lead = walk.subject_units(value[: lead_at.start()])
        return replace(task, lead=lead or task.lead, support=_support(value, walk) or task.support)
    if value:
        return replace(task, lead=walk.units(value.replace(";", ",")) or task.lead)
    return task


def _title_context(text: str, walk: Walk) -> Context:
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


def _heading_context(block: Block, walk: Walk) -> Context | None:
    """If a block is a heading (a unit, a period, a document, a section name), its context."""
    flat = clean_text(block.text).rstrip(" :;.")
    low = fold(flat)
    words = flat.split()
    if not words or len(words) > 40:
        return None
    deadlines = find_deadlines(flat, walk.year)
    if block.level == ROMAN or (len(words) <= 14 and flat.isupper()):
        owner = re.search(r"(?<!\w)của\s+(.+)$", flat, re.IGNORECASE)
        lead = walk.units(owner.group(1)) if owner else (_whole_units(flat, walk) if len(words) <= 8 else ())
        return Context(block.level, lead=lead)
    if len(words) <= 12 and re.match(r"^nhiệm vụ\b", low) and deadlines:
        d = deadlines[-1]
        return Context(block.level, deadline=replace(d.deadline, raw=flat))
    if len(words) <= 12 and re.match(r"^nhiệm vụ theo\b", low):
        refs = tuple(document_numbers(flat)) or (flat[len("Nhiệm vụ theo ") :],)
        return Context(block.level, refs=refs)
    lead = _whole_units(flat, walk) if len(words) <= 25 else ()
    if not lead and block.kind is BlockKind.ITEM and len(words) <= 16:
        lead = _listed_bodies(flat, walk)
    if lead:
        return Context(block.level, lead=lead)
    if len(words) <= 8 and _NO_TASK.match(low) and not deadlines:
        return Context(block.level)
    return None


def _listed_bodies(text: str, walk: Walk) -> tuple[str, ...]:
    """The bodies a heading lists when every piece of it is a body's name ("3. Cục Điện ảnh, Cục
    Du lịch Quốc gia Việt Nam"), the gazetteer knowing some or none of them."""
    pieces = split_bodies(text)
    whole = [p for p in pieces if walk.gazetteer.canonical(p, walk.province) or is_body_name(p)]
    if not pieces or len(whole) < len(pieces):
        return ()
    return walk.subject_units(text)


def _whole_units(text: str, walk: Walk) -> tuple[str, ...]:
    """The units a heading names if the heading is nothing but unit names (no verb, short); a role
    after a dash ("Sở Tài chính - Cơ quan thường trực Ban Chỉ đạo") describes the body before it."""
    named = re.split(r"\s+[-–]\s+", text, maxsplit=1)
    if len(named) == 2 and _whole_units(named[0], walk):
        return _whole_units(named[0], walk)
    lead_in = _HEADING_LEAD_IN.match(fold(text))
    if lead_in:  # "1.3. Giao Ủy ban nhân dân các phường, xã", "Đối với Ủy ban nhân dân các tỉnh:"
        text = text[lead_in.end() :]
    low = fold(text)
    if len(text.split()) > 25 or not _SUBJECT_HEAD.match(low):
        return ()
    for unit in walk.gazetteer.find_units(text, walk.province):
        low = low[: unit.start] + " " * (unit.end - unit.start) + low[unit.end :]
    if _VERB_RE.search(low.replace(":", " ")):
        return ()
    return walk.units(text)


def _read_block(block: Block, walk: Walk) -> list[RawTask]:
    """Read the tasks of an item, paragraph or row."""
    if block.kind is BlockKind.ROW:
        return _read_row(block, walk)
    flat = clean_text(block.text)
    if len(flat.split()) < 5:
        return []
    matches = find_deadlines(block.text, walk.year)
    quoted = _quoted(block.text)
    if block.level == PARAGRAPH and quoted:
        return [t for start, end in quoted for t in _read_span(block, start, end, walk)]
    announced = _ANNOUNCED.search(fold(block.text)) if block.level == PARAGRAPH else None
    if announced or (block.level == PARAGRAPH and walk.announced):
        found = _subject_sentences(block, announced.end() if announced else 0, walk)
        if found:
            return found
    if block.level == PARAGRAPH and not (
        any(m.strength >= CUE for m in matches) and _DIRECTIVE_CUE.search(fold(flat))
    ):
        return []
    opens_with_unit = any(u.start == 0 for u in walk.gazetteer.find_units(flat, walk.province))
    addressed = block.kind is BlockKind.ITEM and bool(walk.inherited().lead) and len(flat.split()) >= 8
    if (
        _is_report(flat)
        or _NOT_ASSIGNED.match(fold(flat))
        or (_CAPTION.search(flat) is not None and len(flat) < 400)
        or flat.rstrip(" *").endswith("?")
        or (
            not matches
            and not opens_with_unit
            and not addressed  # an item under a heading that names its lead is that lead's task
            and not _VERB_RE.search(fold(" ".join(flat.split()[:14])).replace(":", " "))
        )
        or _STATISTIC.search(flat[:160])
    ):
        return []
    start = _after_assigning_verb(block.text, matches) if block.level == PARAGRAPH else 0
    return _read_span(block, start, len(block.text), walk)


def _subject_sentences(block: Block, start: int, walk: Walk) -> list[RawTask]:
    """The tasks of prose after an announcing colon ("… có ý kiến như sau: Chủ tịch Ủy ban nhân dân
    tỉnh X khẩn trương …. Ủy ban nhân dân các tỉnh: A, B đẩy nhanh …"): each sentence that opens
    with the bodies it assigns and a verb is one task."""
    text = block.text
    cuts = [start + len(text[start:]) - len(text[start:].lstrip(" *\n")), *_sentences(text, start, len(text))]
    out: list[RawTask] = []
    for low, high in itertools.pairwise([*cuts, len(text)]):
        sentence = clean_text(text[low:high])
        if len(sentence.split()) >= 6 and not _is_report(sentence) and _subject(sentence, walk):
            out += _read_span(block, low, high, walk)
    return out


def _after_assigning_verb(text: str, matches: list[DeadlineMatch]) -> int:
    """Where the assigned work starts in reporting prose: after "X yêu cầu/giao/đề nghị" (the
    last one before the first deadline), else at the paragraph's start."""
    first = next((m.start for m in matches if m.strength >= CUE), len(text))
    low = fold(text)
    cues = [m for m in _ASSIGNING.finditer(low, 0, first)]
    if not cues:
        return 0
    start = cues[-1].end()
    return start + len(text[start:]) - len(text[start:].lstrip())


def _quoted(text: str) -> list[tuple[int, int]]:
    """Spans of assignments quoted in reporting prose: giao “Các Bộ ... chủ động rà soát ...”."""
    return [(m.start(1), m.end(1)) for m in _QUOTED.finditer(text)]


def _read_span(block: Block, start: int, end: int, walk: Walk) -> list[RawTask]:
    """Read the tasks of a span of a block, split into separately dated or enumerated pieces."""
    ctx = walk.inherited()
    out: list[RawTask] = []
    matches = [m for m in find_deadlines(block.text, walk.year) if start <= m.start < end]
    for piece in _pieces(block.text, matches, start, end):
        text = block.text[piece.start : piece.end]
        action = clean_text(text)
        if len(action.split()) < 4:
            continue
        lead = (
            _subject(action, walk) or _later_subject(text, walk) or (out[-1].lead if out else ()) or ctx.lead
        )
        deadline = piece.deadline.deadline if piece.deadline else (ctx.deadline or Deadline.none())
        refs = ctx.refs or ((walk.number,) if walk.number else ())
        out.append(
            RawTask(
                block,
                piece.start,
                action[:300],
                lead,
                _support(action, walk),
                deadline,
                find_status(action) if ctx.status is None else ctx.status,
                refs,
            )
        )
    return out


def _sentences(text: str, start: int, end: int) -> list[int]:
    """Where sentences after the first begin within a span (after ". " and a capital letter)."""
    return [m.end() for m in _SENTENCE.finditer(text, start, end)]


def _later_subject(text: str, walk: Walk) -> tuple[str, ...]:
    """The subject of a later sentence when the first sentence names none ("Công tác ... Các bộ,
    cơ quan, địa phương khẩn trương khắc phục ...")."""
    for cut in _sentences(text, 0, len(text)):
        subject = _subject(clean_text(text[cut : cut + 300]), walk)
        if subject:
            return subject
    return ()


def _is_report(action: str) -> bool:
    """Tell whether a text reports work done or under way ("Sở Nội vụ đã phối hợp ...") rather
    than assigning it: "đã"/"đang" comes before any directive verb."""
    low = fold(action)
    report = _PAST.search(low[:160])
    if not report:
        return False
    verb = _VERB_RE.search(low[:160])
    return verb is None or verb.start() > report.start()


def _pieces(text: str, matches: list[DeadlineMatch], start: int, end: int) -> list[Piece]:
    """Split a span where one separately dated piece of work ends and another begins, and at
    enumerated items separated by semicolons ("(1) ...; (2) ...")."""
    strong = [m for m in matches if m.strength >= CUE]
    first = _ENUM_FIRST.search(text, start, end)
    digits = bool(first) and first is not None and first.group(1) == "1"
    enumerated = [
        m.start(1) for m in _ENUMERATED.finditer(text, start, end) if (m.group(2)[0].isdigit()) == digits
    ]
    cuts: list[int] = enumerated if first else []
    for m, following in itertools.pairwise(strong):
        after = re.match(r"[\s*)\]]*([.;,])\s*", text[m.end :])
        if not after:
            continue
        cut = m.end + after.end()
        if after.group(1) == "," and not _VERB_RE.match(fold(text[cut : cut + 40])):
            continue
        after_next = re.split(r"[.;]", text[following.end : following.end + 300], maxsplit=1)[0]
        words = len(re.findall(r"\w+", clean_text(text[cut : following.start])))
        if words >= 5 or (words == 0 and len(after_next.split()) >= 5):
            cuts.append(cut)
    bounds = [start, *sorted(set(cuts)), end]
    pieces = []
    for low, high in itertools.pairwise(bounds):
        inside = [m for m in matches if low <= m.start < high]
        pieces.append(Piece(low, high, best_deadline(inside)))
    return pieces


def _subject(action: str, walk: Walk) -> tuple[str, ...]:
    """The units named as the subject at the start of a sentence ("Bộ Công an chủ trì ...")."""
    low = fold(action)
    topic = _TOPIC.match(low) or _ADVERBIAL.match(low)
    skip = topic.end() if topic else 0
    lead_in = _LEAD_IN.match(low, skip)
    skip = lead_in.end() if lead_in else skip
    if not _SUBJECT_HEAD.match(low[skip:]):
        return ()
    masked = walk.gazetteer.mask_provinces(low)
    for unit in walk.gazetteer.find_units(action, walk.province):
        masked = masked[: unit.start] + "x" * (unit.end - unit.start) + masked[unit.end :]
        if unit.start > 400:
            break
    listed_end, _ = walk.gazetteer.listed_units(action[skip:], walk.province)
    verb = _VERB_RE.search(masked, skip + listed_end)
    if verb and verb.group() == ":" and _LIST_COLON.match(low[skip : verb.end()]):
        verb = next(
            (
                v
                for v in _VERB_RE.finditer(masked, verb.end())
                if not _LIST_ITEM_BEFORE.search(masked[: v.start()])
            ),
            None,
        )
    run_end = _unit_run_end(action, skip, walk)
    if run_end and (verb is None or verb.start() > run_end.start() + 12):
        more = verb is not None and _only_bodies(action[run_end.start() : verb.start()], walk)
        verb = verb if more else run_end
    if not verb:
        return ()
    prefix = action[skip : verb.start()]
    if len(prefix.split()) > _SUBJECT_WORDS:
        return ()
    return walk.subject_units(prefix)


def _only_bodies(text: str, walk: Walk) -> bool:
    """Tell whether a stretch after known units only lists more bodies (", Ban quản lý Khu …")."""
    text = re.sub(r"^[\s,;]*(?:và\s+)?", "", text).strip(" ,;")
    if not text or not re.match(r"^[,;]|\s*(?:và\s+)?\S", text):
        return False
    pieces = split_bodies(text)
    names = [n for p in pieces for n in re.split(r"\s*,\s*|\s+và\s+", p) if n]
    return bool(pieces) and (
        all(walk.units(p) or is_body_name(p) for p in pieces) or all(walk.units(n) for n in names)
    )


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
    tail = re.match(r"[\s,;]*(?:và\s+)?các\s+[^\W\d_]+(?:[\s,]+[^\W\d_]+){0,4}\s+liên quan", action[end:])
    end += tail.end() if tail else 0
    return re.compile(r"\s").search(action, end)


def _support(action: str, walk: Walk) -> tuple[str, ...]:
    """The coordinating units named after "phối hợp (với)"."""
    low = fold(action)
    m = _SUPPORT_RE.search(low)
    if not m:
        return ()
    tail = low[m.end() : m.end() + 240]
    stop = re.search(r"[.;:(]|(?<!\w)(?:" + "|".join(v for v in _VERBS if v != "phối hợp") + r")(?!\w)", tail)
    phrase = action[m.end() : m.end() + (stop.start() if stop else len(tail))]
    return walk.units(phrase)


def _read_row(block: Block, walk: Walk) -> list[RawTask]:
    """Read a table row: the task text first, then cells (units, documents, deadline, status)."""
    text = block.text
    paragraphs = _paragraphs(text)
    tail_at = _tail_start(text, paragraphs, walk)
    trailing = _trailing_unit_cell(text[:tail_at], walk) if tail_at >= len(text.rstrip()) else None
    if trailing is not None:  # "… Chiến lược được ban hành Tháng 6/2025 Bộ Công an" on one line
        tail_at = trailing
    lead_refs, body_at = _leading_refs(text[:tail_at])
    action_text = text[body_at:tail_at]
    tail = text[tail_at:]
    action = clean_text(action_text)
    if len(action.split()) < 2 or _is_report(action) or walk.units(action) == (action,):
        return []
    if not block.marked and not _VERB_RE.search(fold(" ".join(action.split()[:14])).replace(":", " ")):
        return []
    if _STATISTIC.search(action[:160]):
        return []
    ctx = walk.inherited()
    lead, support = _cells_units(tail, block, walk)
    lead = lead or _subject(action, walk) or ctx.lead
    cell = best_deadline(find_deadlines(tail, walk.year, cells=True))
    closing = _closing_deadline(action_text, walk)
    section = next((c.deadline for c in reversed(walk.stack) if c.deadline and c.level >= 0), None)
    in_text = best_deadline([d for d in find_deadlines(action_text, walk.year) if d.strength >= CUE])
    deadline = (
        (cell.deadline if cell else None)
        or section  # "a) Nhiệm vụ tháng 8/2025:" dates its rows over dates inside their text
        or (closing.deadline if closing else None)
        or (in_text.deadline if in_text else None)
        or ctx.deadline
        or Deadline.none()
    )
    refs = lead_refs or tuple(document_numbers(tail)) or ctx.refs or ((walk.number,) if walk.number else ())
    if ctx.refs and tuple(document_numbers(tail)):
        refs = tuple(dict.fromkeys([*ctx.refs, *document_numbers(tail)]))
    status = find_status(tail) or ctx.status
    support = support or _support(action, walk)
    result = _required_result(text, block, walk)
    return [RawTask(block, 0, action[:300], lead, support, deadline, status, refs, result)]


# Precisions of a deadline cell run into a row's text (a year span there is a plan's period).
_CELL_PRECISIONS = frozenset({Precision.DAY, Precision.MONTH, Precision.QUARTER})
_REF_PREFIX = re.compile(
    r"^[\s*]*(?:\d{1,5}(?:/\d{4})?\s?[-/]\s?[A-ZĐ][A-ZĐ&./-]*\s*[;,]?\s*)+(?=[A-ZĐÀ-Ỹ][a-zà-ỹđ])"
)
_REF_LINE = re.compile(r"^[\s*]*(?:[0-9A-ZĐ][0-9A-ZĐ&./-]*\s?[-/;,]?\s*)+$")


def _leading_refs(text: str) -> tuple[tuple[str, ...], int]:
    """The assigning documents that open a row (a "Văn bản giao việc" column before the task:
    "35-TB/TGV" or "71/NQ-CP; 01-\nTB/BCĐTW; 03-\nTB/BCĐTW"), and where the task text starts."""
    at = 0
    kept: list[str] = []
    for line in text.split("\n"):
        if line.strip() and not _REF_LINE.match(line):
            prefix = _REF_PREFIX.match(line)
            if prefix:  # "28-TB/TGV Ngăn chặn việc …" on one line
                kept.append(prefix.group())
                at += prefix.end()
            break
        kept.append(line)
        at += len(line) + 1
    refs = tuple(document_numbers(" ".join(" ".join(kept).split()).replace("- ", "-")))
    return (refs, min(at, len(text))) if refs else ((), 0)


def _unit_masked(text: str, walk: Walk) -> str:
    """Folded text with known unit names blanked, so "Bộ Xây dựng" is not read as the verb."""
    low = fold(text)
    for unit in walk.gazetteer.find_units(text, walk.province):
        low = low[: unit.start] + " " * (unit.end - unit.start) + low[unit.end :]
    return low


def _closing_deadline(text: str, walk: Walk) -> DeadlineMatch | None:
    """A deadline that closes a row's task text ("… tại Luật KHCN, ĐMST Tháng 6/2025"): the deadline
    cell run into the text's last line."""
    found = find_deadlines(text, walk.year, cells=True)
    last = found[-1] if found else None
    if last and not text[last.end :].strip(" *.\n") and last.deadline.precision in _CELL_PRECISIONS:
        return last
    return None


def _trailing_unit_cell(text: str, walk: Walk) -> int | None:
    """Where a row's last cells start when a deadline and a unit end its last line ("… Tháng 7/2025
    Bộ Công an"): at that deadline, if only unit names follow it."""
    for found in reversed(find_deadlines(text, walk.year, cells=True)):
        rest = clean_text(text[found.end :])
        named = 1 <= len(rest.split()) <= 14 and bool(walk.units(rest))
        if named and not _VERB_RE.search(_unit_masked(rest, walk)):
            return found.start
    return None


def _required_result(text: str, block: Block, walk: Walk) -> str:
    """A flattened row's required-result cell, read only under a header naming that column: the
    short capitalized text that opens a later paragraph and ends where its deadline cell starts."""
    if block.table is None or not block.table.required:
        return ""
    for start, end in _paragraphs(text)[1:]:
        para = text[start:end]
        found = find_deadlines(para, walk.year, cells=True)
        if not found:
            continue
        cell = clean_text(para[: found[0].start])
        rest = para[found[0].end :]
        if (
            _RESULT_WORDS[0] <= len(cell.split()) <= _RESULT_WORDS[1]
            and cell[:1].isupper()
            and len(rest.split()) <= _RESULT_WORDS[1]
            and not document_numbers(cell)
            and fold(cell).split()[-1] not in _DATE_LEAD_INS
            and not any(u.start == 0 for u in walk.gazetteer.find_units(cell, walk.province))
        ):
            return cell
        return ""
    return ""


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """The blank-line separated paragraphs of a row, as spans."""
    spans = []
    for m in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text):
        if m.group().strip():
            spans.append((m.start(), m.end()))
    return spans


def _tail_start(text: str, paragraphs: list[tuple[int, int]], walk: Walk) -> int:
    """Where a row's cells after the task text begin: the first later paragraph that opens with a
    unit, a document or a deadline, or a unit name inside the text's last line."""
    if not paragraphs:
        return len(text)
    for (prev_start, prev_end), (start, end) in itertools.pairwise(paragraphs):
        if _opens_cell(text[start:end], walk):
            para = text[start:end]
            unit_cell = [
                u
                for u in walk.gazetteer.find_units(para, walk.province)
                if u.name not in _ASSIGNERS and u.start <= len(para) - len(para.lstrip(" *-\n"))
            ]
            inline = None if unit_cell else _inline_cell(text[prev_start:prev_end], walk, trailing=0)
            return prev_start + inline if inline is not None else start
    first_start, first_end = paragraphs[0]
    inline = _inline_cell(text[first_start:first_end], walk)
    if inline is not None:
        return first_start + inline
    return (
        paragraphs[1][0]
        if len(paragraphs) > 1 and len(paragraphs[0]) and _short(text, paragraphs)
        else len(text)
    )


def _short(text: str, paragraphs: list[tuple[int, int]]) -> bool:
    """Tell whether the paragraphs after the first are short cells rather than more task text."""
    return all(len(text[s:e].split()) <= 12 for s, e in paragraphs[1:])


def _opens_cell(para: str, walk: Walk) -> bool:
    """Tell whether a paragraph opens with a cell value: a unit, a document, a deadline, a status."""
    low = " ".join(fold(para).split()).lstrip("*- ")
    if _CELL_START.match(low):
        return True
    units = walk.gazetteer.find_units(para, walk.province)
    if units and units[0].start <= len(para) - len(para.lstrip(" *-\n")):
        return True
    head = " ".join(para.strip().split("\n\n")[0].split())
    return bool(_SUBJECT_HEAD.match(low)) and len(head.split()) <= 14 and bool(walk.units(head))


def _inline_cell(para: str, walk: Walk, trailing: int = 16) -> int | None:
    """Where a unit cell starts inside a one-paragraph row ("1. CSDL về Bảo hiểm Bộ Tài chính ...")."""
    low = fold(para)
    for unit in walk.gazetteer.find_units(para, walk.province):
        before = low[max(0, unit.start - 80) : unit.start]
        near_start = unit.start < 80 and len(before.split()) < 3
        if near_start or _RELATION_BEFORE.search(before) or unit.name in _ASSIGNERS:
            continue
        if len(para[unit.end :].split()) <= trailing:
            return unit.start
    return None


def _after_leading_deadline(para: str, walk: Walk) -> str:
    """A cell paragraph without the deadline that opens it ("Tháng 7/2025 Ban Cơ yếu Chính phủ": the
    deadline column came before the unit column on one flattened line)."""
    found = find_deadlines(para, walk.year, cells=True)
    if found and not para[: found[0].start].strip(" *-\n"):
        return para[found[0].end :]
    return para


def _cells_units(tail: str, block: Block, walk: Walk) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lead and support units from a row's cells: the first unit paragraph is the lead, the next
    one (when the table has a support column) the support."""
    cells: list[tuple[str, ...]] = []
    for start, end in _paragraphs(_REF_CELL.sub(" ", tail)):
        para = _after_leading_deadline(_REF_CELL.sub(" ", tail)[start:end], walk)
        after = _trailing_unit_cell(para, walk)
        if after is not None:  # "… ban hành Tháng 7/2026 Bộ Xây dựng": the unit after the deadline
            para = _after_leading_deadline(para[after:], walk)
        cut = _CELL_END.search(fold(para))
        unit_text = para[: cut.start()] if cut else para
        if not unit_text.strip():
            continue
        units = tuple(u for u in walk.units(unit_text) if u not in _ASSIGNERS)
        if units:
            cells.append(units)
    if not cells:
        joined = _after_leading_deadline(" ".join(_REF_CELL.sub(" ", tail).split()), walk)
        cut = _CELL_END.search(fold(joined))
        units = walk.units(joined[: cut.start()] if cut else joined) if joined.strip() else ()
        return (tuple(u for u in units if u not in _ASSIGNERS), ()) if units else ((), ())
    if block.table is not None and block.table.support and len(cells) > 1:
        return cells[0], cells[1]
    return cells[0], ()
