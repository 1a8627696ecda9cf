"""The state of a walk over a document's blocks, and the vocabulary its readers share.

`Walk` keeps what headings said (`Context`: a lead unit, a deadline, the assigning documents, a
default status) and resolves unit phrases for the document (province lists, the home province,
bodies the gazetteer does not list); `RawTask` is what a reader hands back before provenance.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from crawler.extract.bodies import as_written, cell_bodies, is_body_name, split_bodies
from crawler.extract.namepatterns import word_alternation
from crawler.extract.normalize import blanked, fold
from crawler.extract.places import province_lists
from crawler.extract.segment import Block, BlockKind
from crawler.extract.units import Gazetteer
from crawler.models import Deadline, Status

VERBS = (
    "chủ trì",
    "phối hợp",
    "thừa ủy quyền",  # "Bộ trưởng Bộ X thừa ủy quyền Thủ tướng …": the subject ends before it
    "thay mặt",
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
    "lập",
    "cắt giảm",
    "đơn giản hóa",
    "rút ngắn",
    "bãi bỏ",
    "nâng cấp",
    "phân công",
    "phổ biến",
    "đăng tải",
    "biên soạn",
    "lồng ghép",
    "mở rộng",
    "mở chuyên mục",
    # work verbs that no unit's name contains (so a subject never ends inside a name)
    "bàn giao",
    "củng cố",
    "kiện toàn",
    "phân bổ",
    "giải ngân",
    "thu hồi",
    "nắm bắt",
    "ngăn chặn",
    "phòng ngừa",
    "lấy ý kiến",
    "tiếp thu",
    "nhân rộng",
    "di dời",
    "thu thập",
    "tập huấn",
    "tuần tra",
    "trấn áp",
    "đấu tranh",
)


VERB_RE = re.compile(word_alternation([re.escape(verb) for verb in VERBS]) + r"|:|\(\s*(?:i|1)\s*\)")


SUBJECT_HEAD = re.compile(
    r"^(?:bộ|các|sở|ủy ban|ubnd|ban|văn phòng|đảng ủy|tỉnh ủy|thành ủy|công an|thanh tra|ngân hàng|"
    r"tòa án|viện|bhxh|tổng liên đoàn|liên đoàn|liên hiệp|trung ương đoàn|tỉnh đoàn|thành đoàn|kho bạc|"
    r"mặt trận|hiệp hội|chi cục|công đoàn|"
    r"cơ quan|đài|tập đoàn|bảo hiểm|kiểm toán|trung tâm|thành phố|tỉnh|hội đồng|đồng chí|chủ tịch|thủ tướng|"
    r"bộ trưởng|thủ trưởng|giám đốc|người đứng đầu|lãnh đạo|tổ|từng|mỗi|ngành|đại học|thông tấn|"
    r"cục|tổng cục|vụ|tổng công ty|học viện|trường|bệnh viện|hội|báo|đoàn|quỹ|nhà xuất bản)(?!\w)"
)


# The verbs that hand work to the body named after them ("giao Sở X …", "đề nghị Bộ Y …"); not the
# compounds of "giao" ("giao thông", "giao dịch", …).
_GIAO_COMPOUNDS = r"(?:thông|dịch|lưu|tiếp|nhận hàng|thương|diện|thừa|thoa)(?!\w)"
ASKING = r"(?:giao cho|giao(?!\s+" + _GIAO_COMPOUNDS + r")|đề nghị|yêu cầu)"


ASSIGNERS = frozenset({"Chính phủ", "Thủ tướng Chính phủ", "Quốc hội", "Bộ Chính trị", "Ban Bí thư"})


STATISTIC = re.compile(r"^[^:]{3,80}:\s*(?:\d+\s*/\s*\d+|\d+(?:[.,]\d+)?\s*%)")


@dataclass(frozen=True)
class Context:
    """What headings above a block said: lead units, deadline, assigning documents, default status."""

    level: float
    lead: tuple[str, ...] = ()
    deadline: Deadline | None = None
    refs: tuple[str, ...] = ()
    status: Status | None = None
    announced: bool = False  # set by a sentence announcing the items after it ("… như sau:")
    support: tuple[str, ...] = ()  # coordinating units a heading names ("Bộ X chủ trì, phối hợp với Bộ Y:")
    item: bool = False  # set by an item that names its bodies: in force only for the items under it


NO_SIBLING: tuple[float, tuple[str, ...]] = (-9.0, ())  # no item before: nothing to continue


# A provincial department or body of every province ("Sở Nội vụ các tỉnh, thành phố", "Công an
# các địa phương"): one group, not the department plus the provinces.
_EVERY_PROVINCE = re.compile(
    r"^(?:sở|công an|bộ chỉ huy quân sự|ban quản lý|bảo hiểm xã hội|kho bạc nhà nước)\s[^,;]{0,60}?"
    r"\s?các\s+(?:tỉnh,\s*thành phố|tỉnh, thành|địa phương)(?:\s+trực thuộc trung ương)?$"
)


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
    sibling: tuple[float, tuple[str, ...]] = NO_SIBLING  # the last item's level and own subject
    anonymous_level: float | None = None  # the level of this run of items where one named no body
    letter_end: int = -1  # the line where a letter's text ends: its unnamed items are its addressees'
    quoting: bool = False  # inside a quotation of a statute's clauses, which assign nothing
    aims: float | None = None  # the level of the purpose section ("MỤC ĐÍCH, YÊU CẦU") the walk is in
    unit_prose: bool = False  # the blocks since the last item are prose right under a unit's heading
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
        if _EVERY_PROVINCE.match(fold(phrase).strip(" *,.:;")):
            return (as_written(phrase),)  # "Sở Nội vụ các tỉnh, thành phố": the department of each
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
        """Complete level-only names ("Công an tỉnh", "Ban Dân vận Tỉnh ủy") with the home province."""
        if not self.home:
            return tuple(names)
        level = "thành phố" if self.home.startswith("thành phố ") else "tỉnh"
        name = self.home[len(level) + 1 :]
        endings = (f" {level}", " tỉnh ủy" if level == "tỉnh" else " thành ủy")
        return tuple(
            f"{n} {name}" if fold(n).endswith(endings) and not n.startswith("Các") else n for n in names
        )

    def cell_units(self, cell: str) -> tuple[str, ...]:
        """The bodies a unit cell or field lists ("Báo và Phát thanh, Truyền hình tỉnh; Sở Tư pháp"),
        level-only names completed with the home province."""
        return self.at_home(cell_bodies(cell, self.units))

    def masked(self, text: str) -> str:
        """Folded text with known unit names blanked, so "Bộ Xây dựng" is not read as a verb."""
        units = [(unit.start, unit.end) for unit in self.gazetteer.find_units(text, self.province)]
        return blanked(fold(text), units, " ")

    def subject_units(self, phrase: str) -> tuple[str, ...]:
        """The bodies a subject phrase names: known ones, and unlisted ones read by their head noun
        ("Ban quản lý Khu Kinh tế Phú Yên") kept as written."""
        known = self.units(phrase)
        pieces = [self._owned_body(p) for p in split_bodies(phrase)]
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

    def _owned_body(self, piece: str) -> str:
        """An unlisted body with its owner in parentheses ("Ban Quản lý dự án đường sắt (Bộ Xây
        dựng)"): the body itself, the owner only placing it ("Bộ Quốc phòng (Ban Cơ yếu Chính
        phủ)", a known body before, names the body inside)."""
        core = _OWNER_AFTER.sub("", piece)
        if core == piece or not is_body_name(core) or self._names_exactly(core):
            return piece
        return core

    def _names_exactly(self, piece: str) -> tuple[str, ...]:
        """The units a piece names, unless the only reading turns one body into a group ("Cơ quan
        tiếp nhận hồ sơ" read as "Các cơ quan …")."""
        found = self.units(piece)
        grouped = len(found) == 1 and fold(found[0]).startswith("các ") and not fold(piece).startswith("các ")
        return () if grouped else found

    def sibling_lead(self, block: Block) -> tuple[str, ...]:
        """The subject of the previous item at the same level ("- BHXH tỉnh chỉ đạo …; - Phối hợp
        với …"): a list of one body's steps names the body once."""
        level, named = self.sibling
        if block.kind is not BlockKind.ITEM or block.level != level or block.first < self.letter_end:
            return ()  # in a letter, an item naming no one is the addressees' (letters.py)
        if self.anonymous_level == level:
            return ()  # "(i) Đàm phán …; (x) UBND các tỉnh lập …; (xi) Triển khai …": not the body's steps
        return named if VERB_RE.match(block.low) else ()  # "Phối hợp với …", not "Quốc hội thảo luận …"

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
                support=ctx.support or merged.support,
            )
        return merged

    def push(self, ctx: Context) -> None:
        """Enter a heading's context, leaving those at its level or deeper."""
        self.pop_to(ctx.level)
        self.stack.append(ctx)

    def leave_items(self, block: Block) -> None:
        """Leave the contexts items set that do not hold `block` (a deeper item)."""
        while self.stack and self.stack[-1].item and (
            block.kind is not BlockKind.ITEM or block.level <= self.stack[-1].level
        ):
            self.stack.pop()

    def pop_to(self, level: float) -> None:
        """Leave the contexts at `level` or deeper."""
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()


_OWNER_AFTER = re.compile(r"\s*\([^()]{3,80}\)\s*$")


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
