"""Subjects read by their shape: siblings that continue a named body, mass organisations and
abbreviations, inline numbers, owned groups, reform and publishing verbs, numbered paragraphs."""

from __future__ import annotations

from crawler.extract import extract_tasks
from crawler.models import DocumentText


def _tasks(text: str) -> list[tuple[str, ...]]:
    """The leads of the tasks extracted from a made-up directive of 2026."""
    doc = DocumentText(name="made-up.txt", text=text, number="15/CT-UBND")
    return [t.lead for t in extract_tasks(doc)]


def test_steps_after_a_sibling_that_names_its_body() -> None:
    """ "- BHXH tỉnh chỉ đạo …; - Phối hợp với …; - Tổng hợp …": items that open with a verb continue
    the body their previous sibling named; an item opening with another noun does not."""
    text = (
        "3. Tổ chức thực hiện\n\n"
        "- BHXH tỉnh chỉ đạo BHXH cơ sở lập danh sách đối tượng, xong trước 30/10/2026.\n\n"
        "- Phối hợp với cơ quan cấp xã vận động người dân tham gia trước 20/11/2026.\n\n"
        "- Tổng hợp danh sách hộ khó khăn gửi các nhà hảo tâm trước 28/11/2026.\n\n"
        "- Quốc hội thảo luận dự thảo luật tại phiên họp toàn thể trong tháng 12/2026.\n"
    )
    bhxh = ("Bảo hiểm xã hội tỉnh",)
    assert _tasks(text) == [bhxh, bhxh, bhxh, ("Quốc hội",)]


def test_subjects_of_mass_organisations_treasury_and_abbreviations() -> None:
    """Bodies that open a sentence by a head noun the lists of heads lacked ("Tổng Liên đoàn …",
    "Trung ương Đoàn …", "Kho bạc Nhà nước …") or by a known abbreviation ("EVN", "NHNN") lead."""
    text = (
        "1. Tổng Liên đoàn Lao động Việt Nam chủ trì tuyên truyền chính sách cho người lao động.\n\n"
        "2. Trung ương Đoàn Thanh niên Cộng sản Hồ Chí Minh chỉ đạo ra quân tình nguyện hè 2026.\n\n"
        "3. Kho bạc Nhà nước khu vực XV hướng dẫn thanh toán vốn đầu tư công trong quý III/2026.\n\n"
        "4. EVN bảo đảm cung ứng điện an toàn, ổn định cho sản xuất trong mùa khô năm 2026.\n\n"
        "5. Công đoàn cơ sở tổ chức đại hội nhiệm kỳ mới, hoàn thành trước ngày 30/6/2026.\n"
    )
    assert _tasks(text) == [
        ("Tổng Liên đoàn Lao động Việt Nam",),
        ("Trung ương Đoàn Thanh niên Cộng sản Hồ Chí Minh",),
        ("Kho bạc Nhà nước khu vực XV",),
        ("Tập đoàn Điện lực Việt Nam",),
        ("Công đoàn cơ sở",),
    ]


def test_inline_numbered_items_keep_their_subjects() -> None:
    """ "…; (x) Ủy ban nhân dân các tỉnh, thành phố lập, phê duyệt …": the number is no part of the
    subject, and "lập" (draw up) is the verb that ends it."""
    text = (
        "2. (i) Bộ Xây dựng hoàn thành lập báo cáo nghiên cứu khả thi trong tháng "
        "7/2026; (ii) Ủy ban nhân dân các tỉnh, thành phố lập, phê duyệt dự án khu tái định cư trong "
        "năm 2026.\n"
    )
    assert _tasks(text) == [
        ("Bộ Xây dựng",),
        ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",),
    ]


def test_a_group_owned_by_a_body_is_one_lead() -> None:
    """ "Các đơn vị trực thuộc Bộ Tài chính …": the owner qualifies the group; it is no lead of its own."""
    text = (
        "1. Các đơn vị trực thuộc Bộ Tài chính triển khai số hóa hồ sơ thủ tục trong quý IV/2026.\n\n"
        "2. Các cơ quan, đơn vị thuộc Ủy ban nhân dân tỉnh khẩn trương rà soát quy trình nội bộ "
        "trong tháng 11/2026.\n"
    )
    assert _tasks(text) == [
        ("Các đơn vị trực thuộc Bộ Tài chính",),
        ("Các cơ quan, đơn vị thuộc Ủy ban nhân dân tỉnh",),
    ]


def test_reform_verbs_end_a_subject_after_an_assigner() -> None:
    """ "… yêu cầu cơ quan có thẩm quyền cắt giảm, đơn giản hóa …": the reform verbs ("cắt giảm",
    "đơn giản hóa", "rút ngắn", "bãi bỏ") end the assigned body's name."""
    text = (
        "Chủ tịch UBND tỉnh yêu cầu các cơ quan có thẩm quyền cắt giảm, đơn giản hóa thủ tục hành "
        "chính, hoàn thành trước ngày 10/4/2026.\n"
    )
    assert _tasks(text) == [("Các cơ quan có thẩm quyền",)]


def test_numbered_paragraphs_under_an_announcing_sentence() -> None:
    """ "… yêu cầu Bộ Công an thực hiện các nhiệm vụ sau:" then "(1) Chỉ đạo …", "(2) Phối hợp …"
    paragraphs: each is the addressee's task, read whole ("giao thông" is no "giao" that assigns)."""
    text = (
        "Theo đó, Thủ tướng Chính phủ yêu cầu Bộ Công an thực hiện một số nhiệm vụ cụ thể như sau:\n\n"
        "(1) Chỉ đạo Công an các địa phương tăng cường tuần tra, kiểm soát trật tự an toàn giao "
        "thông trên các tuyến quốc lộ.\n\n"
        "(2) Phối hợp Bộ Xây dựng nghiên cứu sửa đổi quy định xử phạt vi phạm giao thông đường bộ.\n"
    )
    tasks = extract_tasks(DocumentText(name="tin.txt", text=text))
    assert [(t.action[:12], t.lead) for t in tasks] == [
        ("(1) Chỉ đạo ", ("Bộ Công an",)),
        ("(2) Phối hợp", ("Bộ Công an",)),
    ]


def test_a_department_of_every_province_is_one_group() -> None:
    """ "Sở Nội vụ các tỉnh, thành phố" is each province's department: one group, not two bodies;
    "Các tỉnh, thành phố" alone are the provinces and centrally-run cities."""
    text = (
        "1. Sở Nội vụ các tỉnh, thành phố rà soát biên chế công chức cấp xã trong tháng 12/2026.\n\n"
        "2. Các tỉnh, thành phố chủ động ứng trước vốn ngân sách địa phương trong quý I/2027.\n"
    )
    assert _tasks(text) == [
        ("Sở Nội vụ các tỉnh, thành phố",),
        ("Các tỉnh, thành phố trực thuộc Trung ương",),
    ]


def test_media_bodies_that_publish() -> None:
    """ "Báo Quảng Nam, Đài Phát thanh và Truyền hình tỉnh mở chuyên mục …": the outlets lead; the
    verbs of publishing ("mở chuyên mục", "đăng tải", "phổ biến") end their names, and the
    province the text names completes "tỉnh"."""
    text = (
        "1. Báo Quảng Nam, Đài Phát thanh và Truyền hình tỉnh mở chuyên mục tuyên truyền cải cách "
        "hành chính trong năm 2026.\n"
    )
    assert _tasks(text) == [("Báo Quảng Nam", "Đài Phát thanh và Truyền hình tỉnh Quảng Nam")]


def test_one_ministry_word_heading_a_run_of_short_names() -> None:
    """ "Bộ Công an, Tư pháp, Tài chính khẩn trương …": one "Bộ" heads the short names after it, so
    each ministry leads; a name known by itself ("Văn phòng Chính phủ") stays as written."""
    text = (
        "1. Bộ Công an, Tư pháp, Tài chính khẩn trương hoàn thành hồ sơ dự án luật trong tháng 3/2026.\n\n"
        "2. Bộ Nội vụ, Văn phòng Chính phủ rà soát quy chế làm việc, hoàn thành trong tháng 4/2026.\n\n"
        "3. Bộ Xây dựng chủ trì, phối hợp với Bộ Công an, Tư pháp sửa đổi quy chuẩn trong tháng 5/2026.\n"
    )
    assert _tasks(text) == [
        ("Bộ Công an", "Bộ Tư pháp", "Bộ Tài chính"),
        ("Bộ Nội vụ", "Văn phòng Chính phủ"),
        ("Bộ Xây dựng",),
    ]


def test_small_roman_items_are_items() -> None:
    """ "(i)", "(ii)", … "(xii)" at the start of a line enumerate items like "a)", each a task, below a
    bold "(1)" heading; a roman-looking word in parentheses mid-line is not a marker."""
    text = (
        "**(2) Tiến độ thực hiện**\n\n"
        "(i) Bộ Xây dựng đàm phán, ký kết biên bản làm việc về khảo sát thực địa trong tháng 4/2026.\n\n"
        "(iv) Bộ Tài chính bố trí vốn chuẩn bị đầu tư cho dự án trong tháng 5/2026.\n\n"
        "(ix) Bộ Ngoại giao đàm phán hiệp định xây dựng cầu chung tại biên giới trong tháng 7/2026.\n"
    )
    assert _tasks(text) == [("Bộ Xây dựng",), ("Bộ Tài chính",), ("Bộ Ngoại giao",)]


def test_clauses_of_different_bodies_are_separate_tasks() -> None:
    """ "Bộ X rà soát …; Bộ Y chủ trì …" gives one task per body (CONVENTIONS.md); a clause where a
    body only joins in ("…; Bộ Y phối hợp …") and addressees split by semicolons stay one task."""
    text = (
        "1. Bộ Xây dựng rà soát, đăng ký nhu cầu vốn của dự án; Bộ Tài chính chủ trì tham mưu Chính phủ"
        " cân đối đủ nguồn vốn để thực hiện.\n\n"
        "2. Bộ Công Thương chủ trì xây dựng đề án phát triển thị trường; Bộ Nông nghiệp và Môi trường"
        " phối hợp thực hiện các nội dung liên quan.\n\n"
        "3. Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ; Ủy ban nhân dân các tỉnh, thành phố trực"
        " thuộc Trung ương khẩn trương triển khai các nhiệm vụ nêu trên.\n"
    )
    assert _tasks(text) == [
        ("Bộ Xây dựng",),
        ("Bộ Tài chính",),
        ("Bộ Công Thương",),
        (
            "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
            "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",
        ),
    ]


def test_role_heading_gives_lead_and_support_to_its_items() -> None:
    """ "3. Bộ Tài chính chủ trì, phối hợp với Bộ Nội vụ:" over a), b): each item is led by the first
    body and supported by the second."""
    text = (
        "3. Bộ Tài chính chủ trì, phối hợp với Bộ Nội vụ:\n\n"
        "a) Đề xuất cơ chế tài chính cho chuyển đổi số trước ngày 15/3/2027.\n\n"
        "b) Tổng hợp nhu cầu vốn của các bộ, ngành cho năm 2027.\n"
    )
    doc = DocumentText(name="made-up.txt", text=text, number="15/TB-VPCP")
    assert [(t.lead, t.support) for t in extract_tasks(doc)] == [
        (("Bộ Tài chính",), ("Bộ Nội vụ",)),
        (("Bộ Tài chính",), ("Bộ Nội vụ",)),
    ]


def test_an_unlisted_body_with_its_owner_in_parentheses_leads() -> None:
    """ "Ban Quản lý dự án X (Bộ Xây dựng) đẩy nhanh …": the board leads, its ministry only places it;
    "Bộ Quốc phòng (Ban Cơ yếu Chính phủ)" still names the body inside."""
    text = (
        "1. Ban Quản lý dự án đường sắt (Bộ Xây dựng) đẩy nhanh giải phóng mặt bằng trong Quý III/2027.\n\n"
        "2. Bộ Quốc phòng (Ban Cơ yếu Chính phủ) chủ trì bảo đảm an toàn thông tin trong năm 2027.\n"
    )
    assert _tasks(text) == [("Ban Quản lý dự án đường sắt",), ("Ban Cơ yếu Chính phủ",)]


def test_short_dated_items_are_tasks_not_headings() -> None:
    """ "11. Công an tỉnh hoàn thành trước 31/12/2026.": a numbered line that names only a body but
    carries a deadline is that body's work, not a heading over the lines after it."""
    text = (
        "III. TỔ CHỨC THỰC HIỆN\n\n"
        "10. Công an tỉnh hoàn thành trước 31/12/2026.\n\n"
        "11. Sở Nội vụ hoàn thành chậm nhất ngày 20 tháng 10 năm 2026.\n\n"
        "12. Sở Tài chính trình UBND tỉnh trong 6 tháng đầu năm 2027.\n"
    )
    assert _tasks(text) == [("Công an tỉnh",), ("Sở Nội vụ",), ("Sở Tài chính",)]


def test_a_heading_listing_mass_bodies_and_their_member_groups() -> None:
    """ "3. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh, Hội Liên hiệp Phụ nữ tỉnh và các tổ chức
    thành viên của Mặt trận", bold and broken over two paragraphs: each body and the group lead its
    bullets; "tổ chức" inside the group's name is no verb."""
    text = (
        "III. TỔ CHỨC THỰC HIỆN\n\n"
        "**3. Đề nghị Ủy ban Mặt trận\nTổ quốc Việt Nam tỉnh Gia Lai, Hội Liên hiệp**\n\n"
        "**Phụ nữ tỉnh Gia Lai và các tổ\nchức thành viên của Mặt trận**\n\n"
        "- Trong phạm vi chức năng,\nnhiệm vụ của mình, tham gia phối hợp triển khai Kế hoạch này.\n"
    )
    front = ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Gia Lai", "Hội Liên hiệp Phụ nữ tỉnh Gia Lai")
    assert _tasks(text) == [(*front, "Các tổ chức thành viên của Mặt trận")]


def test_work_given_closing_a_noun_is_no_assigner_and_looking_ahead_starts_the_task() -> None:
    """In a conclusion's prose, "nhiệm vụ, chỉ tiêu Trung ương giao, bảo đảm …" is work the Centre
    gave, not "Trung ương giao …" assigning what follows; the task starts at the sentence that turns
    from results to what comes next ("Trong thời gian tới, Tỉnh …"), led by the province written of."""
    text = (
        "Văn phòng Chính phủ thông báo kết luận về tình hình của tỉnh Lai Châu.\n\n"
        "Năm 2026, tỉnh Lai Châu đạt nhiều kết quả quan trọng, quốc phòng, an ninh được bảo đảm. "
        "Trong thời gian tới, Tỉnh tổ chức thực hiện nghiêm túc nhiệm vụ, chỉ tiêu Trung ương giao, "
        "bảo đảm hoàn thành trước cuối năm 2026.\n"
    )
    doc = DocumentText(name="made-up.txt", text=text, number="15/TB-VPCP")
    tasks = extract_tasks(doc)
    assert [(t.action[:20], t.lead) for t in tasks] == [("Trong thời gian tới,", ("Tỉnh Lai Châu",))]


def test_a_describing_head_with_its_members_in_parentheses_leads_with_the_members() -> None:
    """ "*1.3. Các cơ quan tham mưu quản lý ngành, lĩnh vực (gồm các Sở: Xây dựng, Tài chính, Y
    tế)*": a heading that describes its bodies, verbs and all, and lists them after "gồm"; the
    listed departments lead its bullets."""
    text = (
        "III. TỔ CHỨC THỰC HIỆN\n\n"
        "*1.3.\nCác cơ quan tham mưu quản lý ngành, lĩnh vực (gồm các Sở: Xây dựng, Tài\nchính, Y tế)*\n\n"
        "- Cử\ncông chức chuyên môn tham gia tổ công tác kiểm tra việc kiểm kê tài sản trong năm 2026.\n"
    )
    assert _tasks(text) == [("Sở Xây dựng", "Sở Tài chính", "Sở Y tế")]


def test_a_group_word_opening_a_clause_is_no_heading_group() -> None:
    """ "a) Các trường hợp phải điều chỉnh nhiệm kỳ đại hội:" reads as "các …" but holds a clause
    ("phải điều chỉnh"): it names no group to lead the bullets under it."""
    text = (
        "7.2. Công đoàn cấp trên được điều chỉnh nhiệm kỳ đại hội công đoàn cấp dưới\n\n"
        "a) Các trường hợp phải điều chỉnh thời gian nhiệm kỳ đại hội:\n\n"
        "- Điều chỉnh kéo dài nhiệm kỳ đại hội của công đoàn cấp dưới trước ngày 30/6/2026.\n"
    )
    tasks = extract_tasks(DocumentText(name="made-up.txt", text=text, number="15/HD-CĐ"))
    bullet = [t for t in tasks if t.action.startswith("Điều chỉnh kéo dài")]
    assert len(bullet) == 1 and bullet[0].lead == ()


def test_a_sentence_handing_work_to_a_role_held_by_a_body_is_its_task() -> None:
    """Inside one item, "… năm 2026. Yêu cầu Nhà đầu tư (Tập đoàn Đèo Cả) rà soát …" hands the
    investor its own work: a second task, led by the body that holds the role."""
    text = (
        "b) Giao Bộ Xây dựng trực tiếp chỉ đạo kiểm tra, tháo gỡ vướng mắc của các dự án giao thông "
        "trọng điểm, bảo đảm thông xe kỹ thuật trong năm 2026. Yêu cầu Nhà đầu tư (Tập đoàn Đèo Cả) rà "
        "soát, điều chỉnh lại kế hoạch, biện pháp tổ chức thi công theo đúng cam kết.\n"
    )
    assert _tasks(text) == [("Bộ Xây dựng",), ("Tập đoàn Đèo Cả",)]


def test_undated_work_in_a_new_sentence_after_a_dated_one_is_its_own_task() -> None:
    """ "b) Rà soát …, hoàn thành trước ngày 31/12/2026 và báo cáo về Sở. Thực hiện kê khai …": the
    second sentence is separate, undated work of the same body."""
    text = (
        "**10. Ủy ban nhân dân xã, phường**\n\n"
        "b) Thực hiện rà soát, thống kê tất cả các công trình khai thác nước dưới đất trên địa bàn, hoàn "
        "thành trước ngày 31/12/2026 và tổng hợp báo cáo về Sở Nông nghiệp và Môi trường. Thực hiện kê "
        "khai, đăng ký khai thác nước dưới đất theo đúng quy định của pháp luật về tài nguyên nước.\n"
    )
    tasks = extract_tasks(DocumentText(name="made-up.txt", text=text, number="09/CT-UBND"))
    assert [(t.action[:18], t.deadline.due is not None) for t in tasks] == [
        ("Thực hiện rà soát,", True), ("Thực hiện kê khai,", False)]
    assert tasks[0].lead == tasks[1].lead == ("Ủy ban nhân dân các xã, phường",)
