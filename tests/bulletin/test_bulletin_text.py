"""What a bulletin item says: headlines keep their capitals (ALL-CAPS ones re-cased the Vietnamese
way), the article's text without captions and bylines, the section and the reason for it, the
outlet's name as the source."""

from __future__ import annotations

import datetime as dt

import pytest

from notifier.bulletin.body import article_paragraphs
from notifier.bulletin.classify import DEFAULT_REASON, DEFAULT_SECTIONS, classify_with_reason
from notifier.bulletin.draft import source_name
from notifier.bulletin.model import Article
from notifier.bulletin.titles import headline_case, is_acronym

HAI_PHONG_TEXT = (
    "Theo công bố của Bộ Nội vụ ngày 6/4, TP Hải Phòng đứng đầu cả nước về chỉ số cải cách hành chính.\n"
    "Phó Thủ tướng Hồ Đức Phớc ký Công điện của Thủ tướng Chính phủ gửi Ủy ban nhân dân tỉnh.\n"
    "Chiều 7/4, UBND huyện Đại Lộc tổ chức hội nghị; huyện Đại Lộc đã số hóa 80% hồ sơ."
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("HẢI PHÒNG ĐỨNG ĐẦU TOÀN QUỐC VỀ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH",
         "Hải Phòng đứng đầu toàn quốc về chỉ số cải cách hành chính"),
        ("QUẢNG NAM THĂNG HẠNG CHỈ SỐ PAR INDEX, TỤT HẠNG CHỈ SỐ SIPAS NĂM 2024",
         "Quảng Nam thăng hạng chỉ số PAR INDEX, tụt hạng chỉ số SIPAS năm 2024"),
        ("ĐỀ XUẤT QUY ĐỊNH MỚI VỀ GIAO DỊCH ĐIỆN TỬ TRONG LĨNH VỰC BHXH",
         "Đề xuất quy định mới về giao dịch điện tử trong lĩnh vực BHXH"),
        ("THỦ TƯỚNG CHÍNH PHỦ ĐÔN ĐỐC ĐẨY NHANH TIẾN ĐỘ PHÂN BỔ, GIẢI NGÂN VỐN ĐẦU TƯ CÔNG NĂM 2025",
         "Thủ tướng Chính phủ đôn đốc đẩy nhanh tiến độ phân bổ, giải ngân vốn đầu tư công năm 2025"),
        ("UBND TỈNH ĐẨY MẠNH CCHC", "UBND tỉnh đẩy mạnh CCHC"),
        ("BẮC NINH: TỈNH ĐẦU TIÊN HOÀN THÀNH BỆNH ÁN ĐIỆN TỬ",
         "Bắc Ninh: Tỉnh đầu tiên hoàn thành bệnh án điện tử"),
        ('QUẢNG NAM TRIỂN KHAI PHONG TRÀO "BÌNH DÂN HỌC VỤ SỐ"',
         'Quảng Nam triển khai phong trào "Bình dân học vụ số"'),
        ("GIỮ VỮNG HÒA BÌNH, ỔN ĐỊNH", "Giữ vững hòa bình, ổn định"),
    ],
)
def test_all_caps_headlines_get_vietnamese_capitals(title: str, expected: str) -> None:
    assert headline_case(title) == expected


def test_the_articles_own_text_gives_names_their_capitals() -> None:
    assert headline_case("ĐẠI LỘC TẬP HUẤN VỀ SỐ HÓA", HAI_PHONG_TEXT) == "Đại Lộc tập huấn về số hóa"
    assert headline_case("PHÓ THỦ TƯỚNG HỒ ĐỨC PHỚC KÝ CÔNG ĐIỆN", HAI_PHONG_TEXT) == (
        "Phó Thủ tướng Hồ Đức Phớc ký Công điện")


@pytest.mark.parametrize("title", ["Hải phòng đứng đầu", "Đề xuất về bhxh", "Khi khu vực công áp dụng KPI",
                                   "par index 2024 của Bộ Nội vụ"])
def test_a_title_that_is_not_all_caps_is_never_changed(title: str) -> None:
    assert headline_case(title, HAI_PHONG_TEXT) == title


def test_acronyms_are_words_no_vietnamese_syllable_spells() -> None:
    assert all(is_acronym(w) for w in ("BHXH", "CCHC", "UBND", "HĐND", "PAR", "INDEX", "SIPAS", "KPI", "TP.",
                                       "60/CĐ-TTG"))
    assert not any(is_acronym(w) for w in ("NGHỆ", "TRƯỜNG", "QUẢNG", "HUYỆN", "KHUYẾN", "GIỮ", "NGHIÊNG"))


def test_captions_bylines_and_table_rows_leave_the_text() -> None:
    text = "\n".join([
        "Hà Nội yêu cầu hoàn thành kế hoạch", "", "Thành phố giao các đơn vị xây dựng kế hoạch.", "",
        "Kế hoạch phải ban hành trước ngày 15/4.",
        "Các đại biểu dự phiên họp - Ảnh: VGP/Nhật Bắc",
        "TRONG ẢNH: Thanh niên triển khai số hóa. Ảnh: TÂM ĐAN",
        "Nhiệm vụ | Cơ quan thực hiện | Thời hạn",
        "Sở Nội vụ theo dõi, đôn đốc việc thực hiện. (Nhandan.vn 01/4, Diệu Thương)",
        "Diệu Thương",
    ])
    paragraphs = article_paragraphs(text, "Hà Nội yêu cầu hoàn thành kế hoạch",
                                    "Thành phố giao các đơn vị xây dựng kế hoạch.", "Diệu Thương")
    assert paragraphs == ["Thành phố giao các đơn vị xây dựng kế hoạch.",
                          "Kế hoạch phải ban hành trước ngày 15/4.",
                          "Sở Nội vụ theo dõi, đôn đốc việc thực hiện."]


def article(title: str, *, url: str = "https://x.vn/a", section: str | None = None,
            text: str = "") -> Article:
    """An article with the fields classification reads."""
    return Article(id=1, url=url, title=title, summary=text, source="X.vn", published=dt.date(2025, 4, 1),
                   author=None, text=text, section=section)


@pytest.mark.parametrize(
    ("item", "key", "reason"),
    [
        (article("Khi khu vực công áp dụng KPI", section="Phân tích – bình luận"), "phan-tich-binh-luan",
         "chuyên mục của trang: “Phân tích – bình luận”"),
        (article("Quảng Nam thăng hạng chỉ số PAR INDEX", section="Tin cải cách hành chính Trung ương"),
         "dia-phuong", "tiêu đề nêu địa danh “Quảng Nam”"),
        (article("Đại Lộc tập huấn về công tác số hóa dữ liệu", section="Tin địa phương"), "dia-phuong",
         "chuyên mục của trang: “Tin địa phương”"),
        (article("Đại Lộc tập huấn về công tác số hóa dữ liệu",
                 text="Chiều 7/4, UBND huyện Đại Lộc tổ chức hội nghị tập huấn. Các tỉnh theo dõi."),
         "dia-phuong", "câu mở đầu nêu cấp địa phương “huyện”"),
        (article("Thủ tướng chủ trì phiên họp với các địa phương", text="Tại tỉnh Quảng Nam, sáng 3/4."),
         "trung-uong", "tiêu đề mở đầu bằng cơ quan trung ương “Thủ tướng”"),
        (article("Cần một hệ thống đánh giá minh bạch", text="Theo tôi, công cụ KPI cần gắn với dữ liệu."),
         "phan-tich-binh-luan", "nội dung có “theo tôi”"),
        (article("Hà Nội và bài toán KPI", url="https://x.vn/goc-nhin/a"), "phan-tich-binh-luan",
         "địa chỉ bài có “/goc-nhin”"),
        (article("Đẩy mạnh chuyển đổi số trong giải quyết thủ tục"), "trung-uong", DEFAULT_REASON),
    ],
)
def test_sections_come_with_the_reason(item: Article, key: str, reason: str) -> None:
    assert classify_with_reason(item, DEFAULT_SECTIONS) == (key, reason)


def test_the_source_is_the_outlet_name_never_a_bare_address() -> None:
    local = "http://127.0.0.1:8123/a.htm"
    assert source_name(local, "demo-baochinhphu", "Baochinhphu.vn") == "Baochinhphu.vn"
    assert source_name(local, "demo-baochinhphu") == "demo-baochinhphu"
    assert source_name("https://www.sggp.org.vn/x.html", None) == "Sggp.org.vn"
