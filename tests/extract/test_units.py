"""Each unit form of issue 3: canonical names, aliases, lists, broken lines, provinces, collectives."""

from __future__ import annotations

import re

import pytest

from crawler.extract.namepatterns import word_alternation
from crawler.extract.units import Gazetteer, load_gazetteer
from crawler.extract.walkstate import Walk


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    """The packaged gazetteer."""
    return load_gazetteer()


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Bộ KH&CN", "Bộ Khoa học và Công nghệ"),
        ("BKHCN", "Bộ Khoa học và Công nghệ"),
        ("Bộ GD&ĐT", "Bộ Giáo dục và Đào tạo"),
        ("Toà án nhân dân tối cao", "Tòa án nhân dân tối cao"),
        ("Ngân hàng nhà nước Việt Nam", "Ngân hàng Nhà nước Việt Nam"),
        ("Đảng uỷ Chính phủ", "Đảng ủy Chính phủ"),
        ("Tp. HCM", "Thành phố Hồ Chí Minh"),
        ("Tp. Hà Nội", "Thành phố Hà Nội"),
        ("UBND tỉnh Đắk Lắk", "Ủy ban nhân dân tỉnh Đắk Lắk"),
        ("Bộ Dân tộc và Tôn giáo", "Bộ Dân tộc và Tôn giáo"),
    ],
)
def test_aliases(gaz: Gazetteer, written: str, canonical: str) -> None:
    """Abbreviations and old spellings resolve to the canonical name."""
    assert gaz.canonical(written) == canonical


def test_unknown_name(gaz: Gazetteer) -> None:
    """A name the gazetteer does not know is not invented."""
    assert gaz.canonical("Công ty TNHH Ánh Dương") is None


def test_names_broken_over_lines(gaz: Gazetteer) -> None:
    """ "Bộ Khoa \\nhọc và \\nCông nghệ" is one unit."""
    assert gaz.resolve("Bộ Khoa \nhọc và \nCông nghệ") == ("Bộ Khoa học và Công nghệ",)


@pytest.mark.parametrize(
    ("phrase", "units"),
    [
        ("Các Bộ: Tư pháp, Y tế", ("Bộ Tư pháp", "Bộ Y tế")),
        (
            "Các bộ: Văn hóa, Thể thao và Du lịch, Công Thương",
            ("Bộ Văn hóa, Thể thao và Du lịch", "Bộ Công Thương"),
        ),
        (
            "Ủy ban nhân dân các thành phố: Huế, Đà Nẵng",
            ("Ủy ban nhân dân thành phố Huế", "Ủy ban nhân dân thành phố Đà Nẵng"),
        ),
        (
            "Bộ Nội vụ, Bộ Tài chính và các cơ quan liên quan",
            ("Bộ Nội vụ", "Bộ Tài chính", "Các cơ quan liên quan"),
        ),
        ("Bộ trưởng Bộ Xây dựng", ("Bộ Xây dựng",)),
        ("Bộ Công an, Tư pháp và Tài chính", ("Bộ Công an", "Bộ Tư pháp", "Bộ Tài chính")),
        ("Bộ Tài chính, Ngân hàng Nhà nước Việt Nam", ("Bộ Tài chính", "Ngân hàng Nhà nước Việt Nam")),
        (
            "Người đứng đầu sở, ban, ngành; Chủ tịch Ủy ban nhân dân xã, phường; đơn vị, doanh nghiệp"
            " nhà nước thuộc thẩm quyền quản lý của Ủy ban nhân dân tỉnh",
            (
                "Các sở, ban, ngành",
                "Ủy ban nhân dân các xã, phường",
                "Các đơn vị, doanh nghiệp nhà nước thuộc thẩm quyền quản lý của Ủy ban nhân dân tỉnh",
            ),
        ),
    ],
)
def test_lists_are_split(gaz: Gazetteer, phrase: str, units: tuple[str, ...]) -> None:
    """Lists with a head word, "và" and titles give one unit each."""
    assert gaz.resolve(phrase) == units


def test_document_province_completes_departments(gaz: Gazetteer) -> None:
    """A bare department takes the document's province (for routing); an explicit one wins."""
    assert gaz.resolve("Sở Tư pháp", "tỉnh Hà Tĩnh") == ("Sở Tư pháp tỉnh Hà Tĩnh",)
    assert gaz.resolve("Sở Y tế thành phố Cần Thơ", "tỉnh Hà Tĩnh") == ("Sở Y tế thành phố Cần Thơ",)
    assert gaz.resolve("Công an tỉnh", "tỉnh Lào Cai") == ("Công an tỉnh Lào Cai",)


@pytest.mark.parametrize(
    ("phrase", "group"),
    [
        (
            "các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
            "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
        ),
        ("Bộ, ngành, địa phương", "Các bộ, ngành, địa phương"),
        (
            "Chủ tịch UBND các tỉnh, thành phố trực thuộc Trung ương",
            "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",
        ),
        ("các cơ quan, đơn vị, địa phương liên quan", "Các cơ quan, đơn vị, địa phương liên quan"),
    ],
)
def test_collectives_stay_one_group(gaz: Gazetteer, phrase: str, group: str) -> None:
    """Collective addressees stay as one group phrase."""
    assert gaz.resolve(phrase) == (group,)


@pytest.mark.parametrize(
    ("phrase", "group"),
    [
        ("Công an các tỉnh, thành phố", "Công an các tỉnh, thành phố"),
        ("Công an các đơn vị, địa phương", "Công an các đơn vị, địa phương"),
        ("Sở Y tế các tỉnh, thành phố trực thuộc Trung ương",) * 2,
        ("Cục Thuế các tỉnh, thành phố", "Cục Thuế các tỉnh, thành phố"),
        ("các Sở GDĐT", "Các Sở Giáo dục và Đào tạo"),
    ],
)
def test_one_kind_of_body_in_every_province_is_one_group(gaz: Gazetteer, phrase: str, group: str) -> None:
    """A local body named over all provinces is one group, not the places alone nor one province's body."""
    assert gaz.resolve(phrase) == (group,)
    assert gaz.resolve(phrase, "tỉnh Lào Cai") == (group,)


def test_a_short_list_of_departments_still_splits(gaz: Gazetteer) -> None:
    """"các Sở Tài chính, Xây dựng" names two departments of the document's province."""
    assert gaz.resolve("các Sở Tài chính, Xây dựng") == ("Sở Tài chính", "Sở Xây dựng")


def test_members_of_collectives(gaz: Gazetteer) -> None:
    """A collective covers concrete units, used to route digests."""
    provinces = gaz.members_of("Các tỉnh, thành phố trực thuộc Trung ương")
    assert len(provinces) == 34 and "Tỉnh Nghệ An" in provinces
    ministries = gaz.members_of("Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ")
    assert "Bộ Công an" in ministries and "Văn phòng Chính phủ" in ministries
    assert len([m for m in ministries if m.startswith("Bộ ")]) == 14


def test_operator_units(gaz: Gazetteer) -> None:
    """The operator's config adds units with aliases."""
    extended = load_gazetteer([("Trung tâm Chuyển đổi số tỉnh Nghệ An", ["TTCĐS Nghệ An"])])
    assert extended.canonical("TTCĐS Nghệ An") == "Trung tâm Chuyển đổi số tỉnh Nghệ An"
    assert "Trung tâm Chuyển đổi số tỉnh Nghệ An" in extended.all_units()
    assert gaz.canonical("TTCĐS Nghệ An") is None


def test_find_units_spans(gaz: Gazetteer) -> None:
    """find_units gives spans in the original text."""
    text = "giao Bộ Công an phối hợp với Văn phòng Chính phủ"
    found = gaz.find_units(text)
    assert [(text[u.start : u.end], u.name) for u in found] == [
        ("Bộ Công an", "Bộ Công an"),
        ("Văn phòng Chính phủ", "Văn phòng Chính phủ"),
    ]


def test_heads_of_bodies_stand_for_the_bodies(gaz: Gazetteer) -> None:
    """ "Bộ trưởng, Thủ trưởng cơ quan ngang bộ, cơ quan (trực) thuộc Chính phủ" is the group of those
    bodies, and a list going on after a group ending in a proper name keeps every member."""
    assert gaz.resolve("Bộ trưởng, Thủ trưởng cơ quan ngang bộ, cơ quan trực thuộc Chính phủ") == (
        "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
    )
    phrase = (
        "Các Bộ trưởng, Thủ trưởng cơ quan ngang bộ, cơ quan thuộc Chính phủ, cơ quan khác ở trung ương, "
        "Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"
    )
    assert gaz.resolve(phrase) == (
        "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
        "Các cơ quan khác ở trung ương",
        "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",
    )
    assert gaz.resolve("Các Bộ, ngành, địa phương") == ("Các bộ, ngành, địa phương",)
    heads = "các đồng chí Bộ trưởng, Thủ trưởng cơ quan Trung ương"
    assert gaz.resolve(heads) == ("Các bộ, cơ quan Trung ương",)


def test_group_names_end_before_a_clause_or_a_closing_parenthesis(gaz: Gazetteer) -> None:
    """A group's name ends before "với …" and drops a parenthesis that qualifies it."""
    assert gaz.resolve("Các bộ, ngành với các quy chuẩn kỹ thuật nội ngành") == ("Các bộ, ngành",)
    assert gaz.resolve("Các cơ quan quản lý cấp trên (bao gồm cả cơ quan đại diện chủ sở hữu)") == (
        "Các cơ quan quản lý cấp trên",
    )
    assert gaz.resolve("các đơn vị sự nghiệp (mạng lưới địa phương)") == ("Các đơn vị sự nghiệp",)


def test_long_names_written_without_their_commas_and_va(gaz: Gazetteer) -> None:
    """ "Sở Văn hóa Thể thao du lịch" and "Bộ Khoa học Công nghệ" are the canonical bodies."""
    assert gaz.resolve("Sở Văn hóa Thể thao du lịch") == ("Sở Văn hóa, Thể thao và Du lịch",)
    assert gaz.resolve("Bộ Khoa học Công nghệ") == ("Bộ Khoa học và Công nghệ",)
    assert gaz.resolve("Bộ Tài chính và Bộ Xây dựng") == ("Bộ Tài chính", "Bộ Xây dựng")


def test_provinces_merged_in_2025_are_still_recognized(gaz: Gazetteer) -> None:
    """Older texts name provinces merged in 2025 ("tỉnh Quảng Nam"); they are read as bodies but are
    no members of "the provinces" (whose committees are today's 34)."""
    assert gaz.resolve("tỉnh Quảng Nam") == ("Tỉnh Quảng Nam",)
    assert gaz.resolve("Ủy ban nhân dân tỉnh Bình Dương") == ("Ủy ban nhân dân tỉnh Bình Dương",)
    members = gaz.members_of("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương")
    assert len(members) == 34 and "Ủy ban nhân dân tỉnh Quảng Nam" not in members


def test_only_a_capitalized_name_after_tinh_is_a_province(gaz: Gazetteer) -> None:
    """ "tỉnh đáp ứng yêu cầu" (lower case) names no province; "tỉnh Quảng Nam Mới" would."""
    assert gaz.home_province("Kế hoạch của tỉnh đáp ứng yêu cầu phát triển.") is None


def test_district_level_groups_of_older_documents() -> None:
    """ "Ủy ban nhân dân các huyện, thị xã, thành phố" (before the 2025 reform) is one group, its
    last word no separate body."""
    gazetteer = load_gazetteer()
    assert gazetteer.resolve("UBND các huyện, thị xã, thành phố") == (
        "Ủy ban nhân dân các huyện, thị xã, thành phố",
    )


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Bộ KH&ĐT", "Bộ Kế hoạch và Đầu tư"),
        ("Bộ TT&TT", "Bộ Thông tin và Truyền thông"),
        ("Bộ LĐ-TB&XH", "Bộ Lao động - Thương binh và Xã hội"),
        ("Bộ NN&PTNT", "Bộ Nông nghiệp và Phát triển nông thôn"),
        ("Sở TN&MT", "Sở Tài nguyên và Môi trường"),
        ("Sở LĐTB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở GTVT", "Sở Giao thông vận tải"),
    ],
)
def test_bodies_merged_in_2025_are_read_by_their_abbreviations(
    gaz: Gazetteer, written: str, canonical: str
) -> None:
    """Texts of 2024-2025 still name the ministries and departments merged in 2025, often abbreviated."""
    assert gaz.canonical(written) == canonical


def test_bodies_merged_in_2025_are_no_units_of_today(gaz: Gazetteer) -> None:
    """A merged ministry or department is read in texts but is not offered as a unit to configure."""
    units = gaz.all_units()
    assert "Bộ Kế hoạch và Đầu tư" not in units and "Sở Tài nguyên và Môi trường" not in units
    assert "Bộ Tài chính" in units


def test_a_former_department_takes_the_documents_province(gaz: Gazetteer) -> None:
    """ "Sở TN&MT" in a Nghệ An text is that province's department, as today's departments are."""
    assert gaz.resolve("Sở TN&MT", "tỉnh Nghệ An") == ("Sở Tài nguyên và Môi trường tỉnh Nghệ An",)


def test_a_local_body_keeps_its_written_capitals(gaz: Gazetteer) -> None:
    """ "Bộ Chỉ huy Quân sự tỉnh" is shown as written, not lowered to "Bộ chỉ huy quân sự tỉnh"."""
    assert gaz.resolve("Bộ Chỉ huy Quân sự tỉnh") == ("Bộ Chỉ huy Quân sự tỉnh",)


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("VP UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh Nghệ An"),
        ("Bộ CHQS tỉnh", "Bộ Chỉ huy Quân sự tỉnh Nghệ An"),
        ("Đài PT-TH tỉnh", "Đài Phát thanh và Truyền hình tỉnh Nghệ An"),
        ("Hội LHPN tỉnh", "Hội Liên hiệp Phụ nữ tỉnh Nghệ An"),
        ("UBMTTQ Việt Nam tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Nghệ An"),
        ("BHXH tỉnh", "Bảo hiểm xã hội tỉnh Nghệ An"),
    ],
)
def test_local_bodies_written_short_are_spelled_out(gaz: Gazetteer, written: str, name: str) -> None:
    """Provincial plans abbreviate the local bodies they name by level; "VP UBND tỉnh" is the
    committee's office, not the committee."""
    assert gaz.resolve(written, "tỉnh Nghệ An") == (name,)


def test_a_level_listed_after_a_comma_is_a_member_not_the_home_level(gaz: Gazetteer) -> None:
    """ "UBND các huyện, thành phố" are the committees of districts and cities; only a bare level
    closing a group ("các sở, ngành tỉnh") is the home province, dropped."""
    walk = Walk(gaz, None, 2026, "15/KH-UBND", None)
    assert walk.subject_units("UBND các huyện, thành phố") == ("Ủy ban nhân dân các huyện, thành phố",)
    assert walk.subject_units("các sở, ngành tỉnh") == ("Các sở, ngành",)


def test_word_alternation_matches_as_the_plain_alternation() -> None:
    """The factored word alternation finds the same words at the same places as
    `(?<!\\w)(?:…)(?!\\w)`, so scanning faster changes no match."""
    words = ["chủ trì", "chủ động", "phối hợp", "cần", "cần thiết", "trình", "tổ chức", "tổ"]
    plain = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")
    factored = re.compile(word_alternation([re.escape(w) for w in words]))
    text = "Sở X chủ trì, phối hợp; cần thiết trình tổ chức tổ, xcần trìnhx chủ độngx cần"
    assert [m.span() for m in factored.finditer(text)] == [m.span() for m in plain.finditer(text)]
    for i in range(len(text)):
        found, expected = factored.match(text, i), plain.match(text, i)
        assert (found and found.span()) == (expected and expected.span())
