"""Addressing: each item takes its lead from its own subject or from the nearest node naming one."""

from __future__ import annotations

import datetime as dt

from crawler.extract import extract_tasks
from crawler.extract.segment import BlockKind, segment
from crawler.models import DocumentKind, DocumentText


def _tasks(text: str) -> list[tuple[str, ...]]:
    """The leads of the tasks extracted from a made-up directive of 2026."""
    doc = DocumentText(name="made-up.txt", text=text, number="15/CT-UBND")
    return [t.lead for t in extract_tasks(doc)]


def test_unlisted_bodies_in_a_subject_are_kept_as_written() -> None:
    """A subject listing bodies the gazetteer does not know keeps them, beside the known ones."""
    text = (
        "1. Sở Tài chính, Ban quản lý Khu công nghệ cao Hòa Lạc, Trung tâm Xúc tiến Đầu tư có trách "
        "nhiệm phối hợp công bố danh mục dự án thu hút đầu tư trên cổng thông tin.\n"
    )
    expected = ("Sở Tài chính", "Ban quản lý Khu công nghệ cao Hòa Lạc", "Trung tâm Xúc tiến Đầu tư")
    assert _tasks(text) == [expected]


def test_topic_then_assignment() -> None:
    """ "Về kiến nghị …: Giao Bộ X …": the lead is the body the assignment names, not the topic's."""
    text = (
        "1. Về kiến nghị hỗ trợ kinh phí xây dựng trường học của Bộ Y tế: Giao Bộ Tài chính chủ trì, "
        "phối hợp với các cơ quan liên quan nghiên cứu, xử lý theo quy định.\n"
    )
    assert _tasks(text) == [("Bộ Tài chính",)]


def test_heading_naming_an_unlisted_body_leads_its_items() -> None:
    """A short heading that is one body's name leads the lettered items under it."""
    text = (
        "2. Cơ quan tiếp nhận hồ sơ đầu tư\n\n"
        "a) Hướng dẫn nhà đầu tư hoàn thiện hồ sơ theo đúng quy định của pháp luật.\n\n"
        "b) Giải quyết hồ sơ trong thời hạn quy định, không để tồn đọng kéo dài.\n"
    )
    assert _tasks(text) == [("Cơ quan tiếp nhận hồ sơ đầu tư",)] * 2


def test_intro_after_a_purpose_clause_addresses_the_items() -> None:
    """ "Để …, các Sở, ngành … triển khai những nội dung sau:" gives its subject to the items."""
    text = (
        "3. Để nâng cao hiệu quả quản lý nhà nước về đầu tư, các Sở, ngành và Ủy ban nhân dân cấp xã "
        "triển khai thực hiện những nội dung sau:\n\n"
        "a) Thực hiện nghiêm các quy định về thẩm định dự án đầu tư trên địa bàn.\n\n"
        "b) Định kỳ đánh giá tình hình hoạt động của các dự án theo lĩnh vực được giao.\n"
    )
    leads = _tasks(text)
    assert len(leads) == 2 and leads[0] == leads[1]
    assert "Ủy ban nhân dân cấp xã" in leads[0]


def test_bare_province_subject_is_the_province_written_about() -> None:
    """ "Tỉnh căn cứ …" in a letter about one province is that province."""
    text = (
        "Văn phòng Chính phủ thông báo kết luận về tình hình của tỉnh Lai Châu.\n\n"
        "1. Về kiến nghị hỗ trợ xe cứu thương: Tỉnh căn cứ các quy định hiện hành để sắp xếp, "
        "bố trí phương tiện cho các trạm y tế của tỉnh Lai Châu.\n"
    )
    assert _tasks(text) == [("Tỉnh Lai Châu",)]


def test_province_lists_name_one_body_per_province() -> None:
    """ "Các tỉnh A, B", "Ủy ban nhân dân các tỉnh, thành phố: A, B" and "Sở X các tỉnh A và B"
    stand for one body per province; a group without names stays a group."""
    text = (
        "1. Các tỉnh Nghệ An, Cao Bằng khẩn trương hoàn thiện hồ sơ dự án, trình cấp có thẩm quyền.\n\n"
        "2. Ủy ban nhân dân các tỉnh, thành phố: Hải Phòng, Đồng Tháp đẩy nhanh giải phóng mặt bằng.\n\n"
        "3. Sở Xây dựng các tỉnh Quảng Ngãi và Gia Lai rà soát quy hoạch hạ tầng giao thông.\n\n"
        "4. Ủy ban nhân dân các tỉnh, thành phố rà soát, báo cáo kết quả thực hiện dự án.\n\n"
        "5. Ủy ban nhân dân thành phố Hà Nội, thành phố Huế và tỉnh Gia Lai bố trí kinh phí.\n"
    )
    assert _tasks(text) == [
        ("Tỉnh Nghệ An", "Tỉnh Cao Bằng"),
        ("Ủy ban nhân dân thành phố Hải Phòng", "Ủy ban nhân dân tỉnh Đồng Tháp"),
        ("Sở Xây dựng tỉnh Quảng Ngãi", "Sở Xây dựng tỉnh Gia Lai"),
        ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",),
        ("Ủy ban nhân dân thành phố Hà Nội", "Ủy ban nhân dân thành phố Huế", "Ủy ban nhân dân tỉnh Gia Lai"),
    ]


PLAN = """*2.1.
Sở Nội vụ - Cơ quan thường trực của Ban Chỉ đạo*

-
Hướng dẫn các cơ quan, đơn vị rà soát vị trí việc làm theo quy định.

Thời
gian hoàn thành: Tháng 3 - 4/2026.

- Phối
hợp hướng dẫn các địa phương triển khai sắp xếp đơn vị sự nghiệp. Trong đó:

+ Sở
Y tế: hướng dẫn sắp xếp các trung tâm y tế ở cấp xã trên địa bàn.

+ Sở
Giáo dục và Đào tạo: hướng dẫn sắp xếp các trường học ở cấp xã trên địa bàn.

Thời
gian thực hiện: Quý II/2026.
"""


def test_plan_bullets_under_an_emphasized_heading() -> None:
    """An italic "2.1." heading naming a body and its role leads the bullets under it, a list mark
    alone on a line opens the next line's item, a "Thời gian" line dates the bullets above it, and
    sub-bullets with leads of their own stay separate tasks with the shared time."""
    tasks = extract_tasks(DocumentText(name="plan.txt", text=PLAN, number="9/KH-UBND"))
    assert [t.lead for t in tasks] == [("Sở Nội vụ",), ("Sở Y tế",), ("Sở Giáo dục và Đào tạo",)]
    assert [t.line for t in tasks] == [5, 13, 16]
    assert tasks[0].deadline.due is not None and tasks[0].deadline.due.isoformat() == "2026-04-30"
    assert {t.deadline.due.isoformat() for t in tasks[1:] if t.deadline.due} == {"2026-06-30"}


def test_bold_heading_running_into_its_text() -> None:
    """A bold "3. Cục …" heading wrapped over two lines, its item text on the very next line: the
    heading ends where the bold closes and its bodies (unlisted ones too) lead the text."""
    text = (
        "**3. Cục\nQuản lý chất lượng, Cục Thống kê**\nPhối hợp với Vụ Pháp chế hoàn thiện dự thảo "
        "Thông tư hướng dẫn, đảm bảo **hoàn thành trong quý I/2026.**\n"
        "**4. Cục\nHợp tác quốc tế**\nKhẩn trương rà soát các điều ước quốc tế có liên quan, "
        "hoàn thành trước ngày 15/12/2026.\n"
    )
    assert _tasks(text) == [("Cục Quản lý chất lượng", "Cục Thống kê"), ("Cục Hợp tác quốc tế",)]


def test_bold_headline_over_bullets_is_not_a_task() -> None:
    """A bold numbered headline that restates the bullets under it is a heading, not a task."""
    text = (
        "**2. Nâng cao chất lượng\nđội ngũ làm công tác pháp chế.**\n\n"
        "- Tổ chức bồi dưỡng kỹ năng soạn thảo văn bản cho công chức pháp chế các sở.\n\n"
        "*Đơn vị chủ trì: *Sở Tư pháp.\n"
    )
    doc = DocumentText(name="plan.txt", text=text, number="5/KH-UBND")
    tasks = extract_tasks(doc)
    assert [(t.line, t.lead) for t in tasks] == [(4, ("Sở Tư pháp",))]


def test_executing_body_field_splits_lead_and_support() -> None:
    """ "Cơ quan thực hiện: X chủ trì, phối hợp với Y" gives lead X and support Y."""
    text = (
        "a) Hoạt động 1\n\n- Nội dung: Tổ chức hội nghị tập huấn về bình đẳng giới cho cán bộ cơ sở.\n\n"
        "- Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với Sở Y tế và các đơn vị có liên quan.\n"
    )
    (task,) = extract_tasks(DocumentText(name="plan.txt", text=text, number="5/KH-UBND"))
    assert task.lead == ("Sở Nội vụ",) and "Sở Y tế" in task.support


def test_announced_prose_sentences_each_assign() -> None:
    """After "… có ý kiến như sau:", each sentence opening with the bodies it assigns is a task."""
    text = (
        "Xét báo cáo của Ủy ban nhân dân tỉnh Phú Thọ, Phó Thủ tướng Chính phủ có ý kiến như sau: "
        "Chủ tịch Ủy ban nhân dân tỉnh Phú Thọ khẩn trương làm việc với các địa phương để bảo đảm "
        "nguồn cung vật liệu. Ủy ban nhân dân các tỉnh: Ninh Bình, Tuyên Quang đẩy nhanh các thủ tục "
        "theo quy định để hỗ trợ tỉnh Phú Thọ.\n"
    )
    assert _tasks(text) == [
        ("Ủy ban nhân dân tỉnh Phú Thọ",),
        ("Ủy ban nhân dân tỉnh Ninh Bình", "Ủy ban nhân dân tỉnh Tuyên Quang"),
    ]


def test_intro_with_its_subject_leads_lettered_items() -> None:
    """ "Bộ X chủ trì, phối hợp với …:" over a)-c) is an introduction: its subject leads them."""
    text = (
        "1. Bộ Tài chính chủ trì, phối hợp với các bộ, địa phương liên quan:\n\n"
        "a) Chỉ đạo các doanh nghiệp bảo hiểm giải quyết bồi thường kịp thời cho người dân.\n\n"
        "b) Hướng dẫn thủ tục hỗ trợ đối với hộ kinh doanh bị thiệt hại do mưa lũ.\n"
    )
    assert _tasks(text) == [("Bộ Tài chính",), ("Bộ Tài chính",)]


def test_conditions_prohibitions_and_questions_are_not_tasks() -> None:
    """ "Trường hợp …", "Không được …", "Khuyến khích …" and questions assign nothing."""
    text = (
        "1. Trường hợp dự án chưa được phê duyệt, chủ đầu tư báo cáo Sở Tài chính trước ngày 30/6/2026.\n\n"
        "2. Không được yêu cầu người dân nộp lại giấy tờ đã được cấp trước ngày 01/7/2026.\n\n"
        "3. Khuyến khích các doanh nghiệp tham gia chương trình trước ngày 31/12/2026.\n\n"
        "4. Mục tiêu tổng quát đã bảo đảm tính khả thi và phù hợp với giai đoạn tới chưa?\n\n"
        "5. Sở Tài chính tổng hợp kết quả, báo cáo Ủy ban nhân dân tỉnh trước ngày 15/7/2026.\n"
    )
    assert _tasks(text) == [("Sở Tài chính",)]


def test_headline_and_byline_are_not_a_task() -> None:
    """A news page's breadcrumb, headline and byline read as one paragraph restate the news."""
    title = "Hà Nội yêu cầu các đơn vị hoàn thành kế hoạch chuyển đổi số trước ngày 15/4"
    text = (
        f"Cải cách hành chính {title} Diệu Thương 03/04/2026 11:45 (Chinhphu.vn)\n\n"
        "Ủy ban nhân dân thành phố Hà Nội yêu cầu các sở, ban, ngành hoàn thành kế hoạch chuyển đổi "
        "số trước ngày 15/4/2026.\n"
    )
    doc = DocumentText(name="a.htm", text=text, title=title, kind=DocumentKind.ARTICLE)
    assert [t.line for t in extract_tasks(doc)] == [3]


def test_captions_and_meeting_prose_are_not_tasks() -> None:
    """A photo caption ("… - Ảnh: VGP/…") and prose about a meeting ("Tại phiên họp, …", "Qua đó,
    …") are not tasks, even when they name a body, a verb and a date."""
    text = (
        "Thủ tướng chủ trì phiên họp, yêu cầu hoàn thành trước ngày 30/6/2026 - Ảnh: VGP/Nhật Bắc\n\n"
        "Tại phiên họp, Giám đốc Sở Nội vụ báo cáo kết quả triển khai kế hoạch trong quý I/2026.\n\n"
        "Qua đó, ban lãnh đạo Sở Tài chính yêu cầu các phòng hoàn thành hồ sơ trong tháng 5/2026.\n\n"
        "Chủ tịch Ủy ban nhân dân tỉnh yêu cầu Sở Tài chính hoàn thành hồ sơ trước ngày 15/6/2026.\n"
    )
    doc = DocumentText(name="a.htm", text=text, kind=DocumentKind.ARTICLE)
    assert [t.line for t in extract_tasks(doc)] == [7]


def test_giao_heading_and_leading_adverbial() -> None:
    """A "1.3. Giao X" heading leads its bullets; "Trên cơ sở …, X chủ trì …" has subject X."""
    text = (
        "1.3. Giao Ủy ban nhân\ndân các xã, phường\n"
        "- Phối hợp rà soát dữ liệu số nhà trên địa bàn theo Kế hoạch số 5/KH-BCA&MT ngày 31/8/2026.\n"
        "- Trên cơ sở kết quả khảo sát, Sở Xây dựng chủ trì xây dựng phương án chuẩn hóa dữ liệu số nhà.\n"
    )
    doc = DocumentText(name="cv.txt", text=text, number="40/UBND-KT")
    tasks = extract_tasks(doc)
    assert [t.lead for t in tasks] == [("Ủy ban nhân dân các xã, phường",), ("Sở Xây dựng",)]
    assert tasks[0].deadline.due is None  # the cited plan's date is not a deadline


def test_people_listed_under_a_heading_are_not_tasks() -> None:
    """A list of people ("Nguyễn Văn An, Phó Chủ tịch …") under a heading naming bodies is no task."""
    text = (
        "3. Sở Nội vụ\n\n"
        "a) Nguyễn Văn An, Phó Giám đốc Sở Nội vụ, Tổ trưởng Tổ công tác của tỉnh.\n\n"
        "b) Hướng dẫn các xã rà soát vị trí việc làm của công chức cấp xã trên địa bàn tỉnh.\n"
    )
    assert _tasks(text) == [("Sở Nội vụ",)]


def test_caption_run_into_a_paragraph_is_skipped() -> None:
    """A figure caption glued to the paragraph after it ("… - Ảnh: VGP/Nhật Bắc Tăng trưởng …") is
    skipped, and a reached figure ("… đạt 6,93%") is not a task; the assignment after it is."""
    text = (
        "Thủ tướng yêu cầu các đại biểu thảo luận về tình hình - Ảnh: VGP/Nhật Bắc Tăng trưởng GDP quý I "
        "đạt 6,93% trong tháng 3 vừa qua. Thủ tướng yêu cầu Bộ Tài chính trình Chính phủ phương án "
        "điều chỉnh vốn trước ngày 15/5/2026.\n"
    )
    doc = DocumentText(name="a.htm", text=text, kind=DocumentKind.ARTICLE)
    (task,) = extract_tasks(doc)
    assert task.lead == ("Bộ Tài chính",) and task.deadline.due is not None


def test_heading_of_titles_names_the_bodies() -> None:
    """ "1. Bộ trưởng các Bộ, Thủ trưởng cơ quan ngang bộ" over its text leads with the bodies."""
    text = (
        "1. Bộ trưởng các Bộ, Thủ trưởng cơ quan ngang bộ\n"
        "Tập trung chỉ đạo hoàn thành sửa đổi các văn bản quy phạm pháp luật, xong trong tháng 12/2026.\n"
    )
    assert _tasks(text) == [("Các bộ, cơ quan ngang bộ",)]


def test_verb_words_used_as_nouns_stay_in_the_subject() -> None:
    """ "tổ chức" between commas, a role noun's attribute ("Cơ quan phối hợp") and a capitalized
    name word ("Ban Chỉ đạo") are part of the subject, not its verb."""
    text = (
        "1. Các doanh nghiệp, tổ chức, cá nhân liên quan có trách nhiệm kê khai đầy đủ hồ sơ "
        "khai thác nước theo quy định.\n\n"
        "2. Cơ quan phối hợp có trách nhiệm trả lời bằng văn bản trong thời hạn quy định.\n\n"
        "3. Văn phòng Ban Chỉ đạo tỉnh tổng hợp kết quả thực hiện, báo cáo định kỳ hằng quý.\n"
    )
    assert _tasks(text) == [
        ("Các doanh nghiệp, tổ chức, cá nhân liên quan",),
        ("Cơ quan phối hợp",),
        ("Văn phòng Ban Chỉ đạo tỉnh",),
    ]


def test_a_closing_sentence_that_assigns_others_does_not_lead_the_item_above() -> None:
    """An item run on into the letter's closing "Bộ X yêu cầu Thủ trưởng các cơ quan …" keeps the
    heading's lead: the closing sentence's subject is the issuer."""
    text = (
        "**2. Các đơn vị có thủ tục hành chính**\n"
        "- Khẩn trương rà soát, công bố quy trình nội bộ giải quyết thủ tục hành chính, hoàn\n"
        "thành trước 30/11/2025.\n"
        "Bộ Tư pháp yêu cầu Thủ trưởng các cơ quan, đơn vị tập trung triển khai thực hiện./.\n"
    )
    assert _tasks(text) == [("Các đơn vị có thủ tục hành chính",)]


def test_abbreviated_terms_in_a_group_heading_are_written_out() -> None:
    """A bold two-line heading naming a group with an abbreviated term ("Các đơn vị có TTHC")
    leads its dashed items, the term written out as names are."""
    text = (
        "**3. Các\nđơn vị có TTHC**\n"
        "- Thực hiện nghiêm việc lấy ý kiến về quy định thủ tục hành chính trong dự thảo văn bản.\n"
        "- Chủ động cắt giảm, đơn giản hóa thủ tục hành chính nội bộ ngay khi xây dựng văn bản.\n"
    )
    assert _tasks(text) == [("Các đơn vị có thủ tục hành chính",)] * 2


def test_responsibility_heading_names_its_group() -> None:
    """ "Trách nhiệm của X:" leads the items under it with X, a group read as one phrase even when
    it is written with a verb word ("đối tượng thực hiện") or a qualifying parenthesis."""
    text = (
        "*1.5.\nTrách nhiệm của đối tượng thực hiện kiểm kê:*\n\n"
        "- Thành lập Tổ kiểm kê tài sản công tại cơ quan, đơn vị trước ngày 30/11/2026.\n\n"
        "*1.6.\nTrách nhiệm của các cơ quan quản lý cấp trên (bao gồm cả cơ quan đại diện chủ sở\n"
        "hữu của doanh nghiệp):*\n\n"
        "- Đôn đốc, hướng dẫn các đơn vị cấp dưới thực hiện kiểm kê đúng tiến độ được giao.\n"
    )
    assert _tasks(text) == [("Các đối tượng thực hiện kiểm kê",), ("Các cơ quan quản lý cấp trên",)]


def test_people_s_committees_of_listed_levels_are_one_group() -> None:
    """ "Ủy ban nhân dân phường, xã, đặc khu" is the committees of every such level, one group."""
    text = (
        "**4. Ủy ban nhân dân phường,\nxã, đặc khu**\n\n"
        "Căn cứ tình hình thực tế của địa phương, xây dựng kế hoạch triển khai thực hiện nhiệm vụ.\n"
    )
    assert _tasks(text) == [("Ủy ban nhân dân các phường, xã, đặc khu",)]


def test_a_deputy_prime_minister_named_in_person_leads_as_written() -> None:
    """ "Giao Phó Thủ tướng Chính phủ Nguyễn Văn A … chỉ đạo" is led by that person."""
    text = (
        "3. Giao Phó Thủ tướng Chính phủ Nguyễn Văn An trước ngày 15 tháng 11 năm 2026 trực tiếp "
        "chỉ đạo giải quyết dứt điểm các vướng mắc của dự án.\n"
    )
    assert _tasks(text) == [("Phó Thủ tướng Chính phủ Nguyễn Văn An",)]


def test_a_long_assigning_item_ending_in_a_colon_leads_its_bullets() -> None:
    """ "d) Giao Ban X chỉ đạo các đơn vị … có trách nhiệm:" introduces its bullets, which are X's
    tasks (even one opening "Đối với các khu, cụm … đã được …, tiếp tục …")."""
    text = (
        "d) Giao Ban Quản lý các khu công nghiệp tỉnh chỉ đạo các đơn vị kinh doanh hạ tầng khu chế\n"
        "xuất, khu, cụm công nghiệp trên địa bàn tỉnh và các doanh nghiệp thứ cấp có trách nhiệm:\n\n"
        "- Đối với các khu, cụm công nghiệp đã được cung cấp nước tập trung, tiếp tục duy trì hoạt\n"
        "động cấp nước bảo đảm liên tục.\n\n"
        "- Vận động các doanh nghiệp thực hiện các giải pháp sản xuất tiết kiệm nước.\n"
    )
    assert _tasks(text) == [("Ban Quản lý các khu công nghiệp tỉnh",)] * 2


def test_heads_of_departments_heading_is_the_departments_group() -> None:
    """ "8. Giám đốc Sở, Thủ trưởng cơ quan, ban, ngành" leads its items as "Các sở, ban, ngành"."""
    text = (
        "**8. Giám đốc\nSở, Thủ trưởng cơ quan, ban, ngành**\n\n"
        "a) Phối hợp Sở Nông nghiệp và Môi trường tuyên truyền, phổ biến quy định về tài nguyên nước.\n"
    )
    assert _tasks(text) == [("Các sở, ban, ngành",)]


def test_bold_parenthesized_unit_headings_lead_their_bullets() -> None:
    """ "**(1) Bộ X:**" is a heading whose bullets are X's tasks; an inline "(1) …" is not one."""
    text = (
        "**(1) Bộ Tài chính:**\n\n"
        "- Chủ trì rà soát, sửa đổi quy định về quản lý tài sản công trong năm 2026.\n\n"
        "- Hướng dẫn các địa phương thực hiện kiểm kê tài sản công trước ngày 30/6/2026.\n\n"
        "**(2) Bộ Xây dựng:**\n\n"
        "- Hoàn thiện quy chuẩn kỹ thuật về nhà ở xã hội trong quý III/2026.\n"
    )
    assert _tasks(text) == [("Bộ Tài chính",), ("Bộ Tài chính",), ("Bộ Xây dựng",)]


def test_the_body_asked_in_a_cover_sentence_leads_not_the_asker() -> None:
    """ "Thủ tướng Chính phủ yêu cầu Chủ tịch UBND các tỉnh … thực hiện các nhiệm vụ sau:" gives its
    items to the committees; "Để …, tỉnh X cần tập trung … sau:" to the province."""
    text = (
        "Thủ tướng Chính phủ yêu cầu Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương\n"
        "tập trung chỉ đạo thực hiện các nhiệm vụ sau:\n\n"
        "1. Rà soát, cắt giảm thủ tục hành chính nội bộ, hoàn thành trong tháng 12/2026.\n\n"
        "2. Đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình trên Cổng Dịch vụ công quốc gia.\n"
    )
    assert _tasks(text) == [("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",)] * 2
    text = (
        "Để hoàn thành mục tiêu năm 2026, tỉnh Nghệ An cần tập trung thực hiện các nhiệm vụ sau:\n\n"
        "- Hoàn thành số hóa hồ sơ, kết quả giải quyết thủ tục hành chính trước ngày 30/6/2026.\n"
    )
    assert _tasks(text) == [("Tỉnh Nghệ An",)]


def test_a_letter_s_addressees_do_the_work_its_items_name_no_one_for() -> None:
    """ "Kính gửi: - Sở A; - Sở B." then items with no subject: the addressees lead them, up to the
    letter's "Nơi nhận:" (a document sent with it has addressees of its own)."""
    text = (
        "Kính gửi:\n- Sở Tài chính;\n- Sở Nội vụ.\n\n"
        "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, Văn phòng đề nghị các cơ quan:\n\n"
        "1. Rà soát, báo cáo kết quả thực hiện cải cách hành chính trước ngày 15/12/2026.\n\n"
        "2. Sở Xây dựng chủ trì tổng hợp số liệu về nhà ở xã hội trước ngày 20/12/2026.\n\n"
        "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\n"
        "Số: 46-TB/TGV\n\nTHÔNG BÁO KẾT LUẬN\n\n"
        "1. Đẩy mạnh số hóa hồ sơ, kết quả giải quyết thủ tục hành chính trong năm 2026.\n"
    )
    assert _tasks(text) == [("Sở Tài chính", "Sở Nội vụ"), ("Sở Xây dựng",), ()]


def test_a_subject_after_a_plan_adverbial_and_before_se() -> None:
    """ "Theo kế hoạch, cuối tháng 4 và trong tháng 5/2026, tỉnh X sẽ triển khai …": X leads."""
    text = (
        "Theo kế hoạch, cuối tháng 4 và trong tháng 5/2026, tỉnh Nghệ An sẽ triển khai thí điểm nhiều "
        "dịch vụ công chủ động trên địa bàn.\n"
    )
    assert _tasks(text) == [("Tỉnh Nghệ An",)]


def test_support_names_a_body_whose_name_holds_a_verb_word() -> None:
    """ "phối hợp với Bộ Xây dựng xem xét" supports Bộ Xây dựng ("xây dựng" inside the name is no
    verb), and "Bộ trưởng các Bộ: A, B, C" lists the ministries."""
    text = (
        "1. Giao Bộ Tài chính chủ trì, phối hợp với Bộ Xây dựng xem xét, xử lý theo thẩm quyền; báo cáo "
        "Thủ tướng Chính phủ trước ngày 30/12/2026.\n\n"
        "2. Bộ trưởng các Bộ: Tài chính, Xây dựng, Công Thương khẩn trương hướng dẫn địa phương tháo gỡ "
        "vướng mắc, hoàn thành trước ngày 15/01/2027.\n"
    )
    tasks = extract_tasks(DocumentText(name="tb.txt", text=text, number="123/TB-VPCP"))
    assert [(t.lead, t.support) for t in tasks] == [
        (("Bộ Tài chính",), ("Bộ Xây dựng",)),
        (("Bộ Tài chính", "Bộ Xây dựng", "Bộ Công Thương"), ()),
    ]


def test_prose_assigning_a_named_body_is_a_task_without_a_date() -> None:
    """ "Giao Văn phòng Chính phủ theo dõi, đôn đốc …" closing a dispatch assigns work, undated."""
    text = "Giao Văn phòng Chính phủ theo dõi, đôn đốc việc thực hiện Công điện này theo quy định.\n"
    assert _tasks(text) == [("Văn phòng Chính phủ",)]


def test_unmarked_department_headings_and_wrapped_addressees() -> None:
    """Without bold marks, "6. Cục\\nThể dục thể thao Việt Nam\\nKhẩn trương …" is led by the Cục (a
    "Cục"/"Vụ" opens a subject), and a "Kính gửi" item wrapped over two lines is one addressee."""
    text = (
        "Kính gửi:\n- Các đơn vị thuộc Bộ được giao thực hiện thủ\ntục hành chính;\n- Vụ Pháp chế.\n\n"
        "6. Cục\nThể dục thể thao Việt Nam\nKhẩn trương hoàn thành thực thi phương án đơn giản hóa thủ tục\n"
        "hành chính theo đúng lộ trình, hoàn thành trong năm 2026.\n\n"
        "7. Chủ động cắt giảm thủ tục hành chính nội bộ trong quá trình xây dựng văn bản.\n"
    )
    assert _tasks(text) == [
        ("Cục Thể dục thể thao Việt Nam",),
        ("Các đơn vị thuộc Bộ được giao thực hiện thủ tục hành chính", "Vụ Pháp chế"),
    ]


def test_asking_a_long_named_front_and_organizations() -> None:
    """ "3. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội tỉnh tăng
    cường giám sát …" is a task (its verb lies past the first words) led by both."""
    text = (
        "3. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội tỉnh tăng "
        "cường giám sát việc thực hiện Chỉ thị này.\n"
    )
    doc = DocumentText(name="ct.txt", text=text, number="05/CT-UBND", issuer="Ủy ban nhân dân tỉnh Nghệ An")
    assert [t.lead for t in extract_tasks(doc)] == [
        ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Nghệ An", "Các tổ chức chính trị - xã hội")
    ]


def test_a_leading_time_clause_ends_at_its_semicolon() -> None:
    """ "Từ nay đến hết năm 2026 chỉ còn …; do vậy, yêu cầu các bộ, ngành, địa phương, đơn vị …:"
    gives its items the whole group asked, not a tail of it."""
    text = (
        "Từ nay đến hết năm 2026 chỉ còn gần 2 tháng, một số dự án còn khối lượng lớn; do vậy, yêu cầu "
        "các bộ, ngành, địa phương, đơn vị, cá nhân liên quan:\n\n"
        "1. Khẩn trương hoàn thành các dự án đường bộ cao tốc trước ngày 31/12/2026.\n"
    )
    assert _tasks(text) == [("Các bộ, ngành, địa phương, đơn vị, cá nhân liên quan",)]


def test_a_group_list_going_on_after_a_known_group() -> None:
    """ "Các sở, ban, ngành, đoàn thể Thành phố, Ủy ban nhân dân phường, xã, đặc khu xây dựng …":
    the whole list leads, not only the known group at its head."""
    text = (
        "1. Các sở, ban, ngành, đoàn thể Thành phố, Ủy ban nhân dân phường, xã, đặc khu xây dựng dự toán "
        "kinh phí để triển khai thực hiện Kế hoạch này.\n"
    )
    lead = ("Các sở, ban, ngành, đoàn thể Thành phố", "Ủy ban nhân dân các phường, xã, đặc khu")
    assert _tasks(text) == [lead]



def test_a_capitalised_heading_wrapped_over_two_lines_ends_before_the_text() -> None:
    """ "**VII. CHẾ" / "ĐỘ BÁO CÁO**", a blank line, then the text: the heading wrapped by a PDF is
    a heading, so the sentence after it starts its own task with its own subject."""
    text = (
        "**VII. CHẾ\nĐỘ BÁO CÁO**\n\n"
        "Các sở, ban, ngành tỉnh, Ủy ban nhân dân cấp xã gửi báo cáo kết quả thực hiện\n"
        "Kế hoạch về Sở Nội vụ trước ngày 16 tháng 12 năm 2026.\n"
    )
    doc = DocumentText(name="made-up.txt", text=text, number="15/KH-UBND")
    tasks = extract_tasks(doc)
    assert [t.action[:12] for t in tasks] == ["Các sở, ban,"]
    assert tasks[0].lead and tasks[0].deadline.due is not None


def test_a_dash_line_over_plus_bullets_introduces_them() -> None:
    """ "- Các bước triển khai và tiến độ thực hiện:" over "+ …" bullets is their heading (a plus is
    the sub-bullet of a dash), and the bullets stay tasks of the body the section names."""
    text = (
        "1. Bảo hiểm xã hội tỉnh\n\n"
        "- Các bước triển khai và tiến độ thực hiện:\n\n"
        "+ Thông tin tới các tổ chức, doanh nghiệp để đăng ký tham gia chương trình; hoàn thành trong "
        "tháng 10/2026.\n\n"
        "+ Tổ chức trao tặng thẻ bảo hiểm y tế cho người có hoàn cảnh khó khăn trước ngày 30/11/2026.\n"
    )
    doc = DocumentText(name="made-up.txt", text=text, number="27/KH-BHXH")
    assert [(t.line, t.lead) for t in extract_tasks(doc)] == [
        (5, ("Bảo hiểm xã hội tỉnh",)),
        (7, ("Bảo hiểm xã hội tỉnh",)),
    ]


def test_an_item_naming_its_bodies_leads_the_dashes_under_it() -> None:
    """ "a) Các bộ X, Y … rà soát …" then "- Đánh giá …": the dashes are X's and Y's, not the body the
    paragraph above addressed; an unmarked paragraph after them is not."""
    text = (
        "Phó Thủ tướng Chính phủ yêu cầu Bộ Xây dựng cụ thể như sau:\n\n"
        "a) Các bộ Xây dựng, Tài chính khẩn trương rà soát các vướng mắc trong các văn bản pháp luật "
        "về nhà ở.\n\n"
        "- Đánh giá toàn bộ quy trình thực hiện dự án bất động sản để đơn giản hóa thủ tục.\n\n"
        "b) Khẩn trương xây dựng hệ thống cơ sở dữ liệu về thị trường bất động sản.\n"
    )
    assert _tasks(text) == [
        ("Bộ Xây dựng", "Bộ Tài chính"),
        ("Bộ Xây dựng", "Bộ Tài chính"),
        ("Bộ Xây dựng",),
    ]


def test_lettered_and_numbered_marks_written_with_a_dot_or_a_slash() -> None:
    """ "a." and "a/", "1/" and "II/" are list marks as "a)" and "1." are: each item under a unit
    heading is its own task and takes the heading's unit, whichever mark the issuer types."""
    for number, letter in (("1.", "a)"), ("1/", "a/"), ("1.", "a."), ("II/", "b.")):
        text = (
            f"{number} Sở Nội vụ:\n\n"
            f"{letter} Rà soát, sắp xếp biên chế công chức của các cơ quan trong tháng 3 năm 2026.\n\n"
            f"{letter.replace('a', 'c').replace('b', 'c')} Tổng hợp kết quả, báo cáo Ủy ban nhân dân tỉnh "
            "trước ngày 30/4/2026.\n"
        )
        assert _tasks(text) == [("Sở Nội vụ",), ("Sở Nội vụ",)], (number, letter)


def test_a_subject_line_in_v_slash_v_form_is_not_a_list_mark() -> None:
    """ "V/v …" (the subject line of a letter) is not the roman numeral V; "V/ …" is."""
    lines = ["V/v triển khai chuyển đổi số năm 2026", "", "V/ Sở Tài chính:"]
    kinds = [(b.kind, b.mark) for b in segment(lines)]
    assert kinds == [(BlockKind.PARAGRAPH, ""), (BlockKind.ITEM, "V/")]


def test_a_capitals_heading_with_no_blank_line_after_it_ends_at_its_last_capitals_line() -> None:
    """PDF text puts no blank line under "I. ĐÁNH GIÁ CHUNG": the heading ends where the capitals
    stop, so the appraisal under it stays prose and the next section's item is read on its own."""
    lines = [
        "I. ĐÁNH GIÁ CHUNG",
        "Thay mặt Thủ tướng Chính phủ, biểu dương tinh thần nỗ lực của tỉnh.",
        "II. NHIỆM VỤ CỦA CÁC BỘ, CƠ QUAN TRUNG ƯƠNG VÀ ĐỊA",
        "PHƯƠNG",
        "1. Sở Tài chính rà soát dự toán, hoàn thành trước ngày 30/6/2026.",
    ]
    blocks = [(b.kind, b.first, b.last) for b in segment(lines)]
    assert blocks[:2] == [(BlockKind.ITEM, 0, 1), (BlockKind.PARAGRAPH, 1, 2)]
    assert blocks[2] == (BlockKind.ITEM, 2, 4)  # a heading wrapped onto a short capitals line stays whole
    assert _tasks("\n".join(lines)) == [("Sở Tài chính",)]


def test_plan_fields_with_no_blank_line_above_them_still_close_the_activity() -> None:
    """PDF text of a plan runs an activity straight into its "Đơn vị chủ trì …: …" field (the label
    perhaps wrapped before its colon); the field gives the activity its lead all the same, while a
    closing sentence "Thời gian hoàn thành trước …" (no colon) stays part of its item."""
    text = (
        "1. Nhiệm vụ\n\n"
        "- Tổ chức tập huấn kỹ năng xây dựng pháp luật\ncho cán bộ, công chức.\n"
        "Đơn vị chủ trì tham mưu thực\nhiện: Sở Tư pháp.\n"
        "Thời gian thực hiện: Thường xuyên.\n"
        "- Ủy ban nhân dân các xã rà soát, cập nhật dữ liệu số nhà trên địa bàn.\n"
        "Thời gian hoàn thành trước ngày 31 tháng 12 năm 2026.\n"
    )
    doc = DocumentText(name="made-up.txt", text=text, number="15/KH-UBND")
    tasks = extract_tasks(doc)
    assert [t.lead for t in tasks] == [("Sở Tư pháp",), ("Ủy ban nhân dân các xã",)]
    assert tasks[1].deadline is not None and tasks[1].deadline.due == dt.date(2026, 12, 31)


def test_a_province_list_after_ubnd_and_a_colon_names_each_province() -> None:
    """ "UBND các tỉnh: A, B, C …" is one body per province, as "Ủy ban nhân dân các tỉnh: A, B" is."""
    for body in ("UBND", "Ủy ban nhân dân", "Chủ tịch UBND"):
        text = f"1. {body} các tỉnh: Ninh Bình, Phú Thọ đẩy nhanh thủ tục, báo cáo trước 30/6/2026.\n"
        assert _tasks(text) == [("Ủy ban nhân dân tỉnh Ninh Bình", "Ủy ban nhân dân tỉnh Phú Thọ")], body


def test_an_inline_enumeration_wrapped_onto_a_new_line_stays_in_its_item() -> None:
    """ "… 03 chức năng: (i) …; (ii) …" wrapped so that "(ii)" or "b)" opens a printed line is still
    one item: the mark before it stands mid-line above, so the line is no list item of its own."""
    for first, second in (("(i)", "(ii)"), ("a)", "b)"), ("**(1)**", "**(2)**")):
        lines = [
            f"1. Bộ Công an phát triển ứng dụng định danh với 02 chức năng: {first} Lưu trữ",
            "dữ liệu số của công dân và tổ chức trên địa bàn;",
            f"{second} Định danh xác thực điện tử, hoàn thành trong năm 2026.",
        ]
        blocks = [(b.kind, b.first, b.last) for b in segment(lines)]
        assert blocks == [(BlockKind.ITEM, 0, 3)], (first, second)
    separate = ["a) Sở Tài chính rà soát dự toán.", "b) Sở Nội vụ rà soát biên chế."]
    assert [(b.first, b.last) for b in segment(separate)] == [(0, 1), (1, 2)]


def test_a_topic_item_ending_in_a_colon_is_no_task_of_its_own() -> None:
    """ "3. Về kiến nghị … xây dựng đê biển:" then "Giao Bộ X …": only the assignment is a task, even
    though the topic holds a verb ("xây dựng") and no list follows it."""
    text = (
        "3. Về kiến nghị của tỉnh về hỗ trợ kinh phí xây dựng đê biển:\n\n"
        "Giao Bộ Tài chính chủ trì, phối hợp với Bộ Nông nghiệp và Môi trường xem xét, xử lý.\n"
    )
    assert _tasks(text) == [("Bộ Tài chính",)]


def test_a_cover_sentence_addressing_ministers_with_no_verb_gives_its_items_their_lead() -> None:
    """ "Thủ tướng Chính phủ yêu cầu Bộ trưởng Bộ X như sau:" then "1." items: the body asked leads
    each item (not the asker); "các đồng chí Bộ trưởng, Chủ tịch UBND …" are the ministries and the
    provinces' committees."""
    item = "\n\n1. Tập trung chỉ đạo khắc phục hậu quả mưa lũ, hoàn thành trước ngày 31/12/2025.\n"
    cases = {
        "Thủ tướng Chính phủ yêu cầu Bộ trưởng Bộ Xây dựng như sau:": ("Bộ Xây dựng",),
        "Thủ tướng Chính phủ yêu cầu đồng chí Bộ trưởng Bộ Xây dựng:": ("Bộ Xây dựng",),
        "Phó Thủ tướng yêu cầu Ủy ban nhân dân tỉnh Điện Biên:": ("Ủy ban nhân dân tỉnh Điện Biên",),
        "Thủ tướng Chính phủ yêu cầu các đồng chí Bộ trưởng, Chủ tịch Ủy ban nhân dân các tỉnh, thành phố "
        "trực thuộc Trung ương:": ("Các bộ", "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"),
    }
    for cover, lead in cases.items():
        assert _tasks("Tình hình mưa lũ diễn biến phức tạp.\n\n" + cover + item) == [lead], cover


def test_a_cover_sentence_over_section_headings_leaves_each_section_its_own_bodies() -> None:
    """A cover sentence whose list opens with "I- KHỐI …" sections does not lead their items: an
    item naming no one takes the body its sibling item named."""
    text = (
        "Tình hình chuyển đổi số còn chậm.\n\n"
        "Ban Chỉ đạo yêu cầu các đồng chí Bộ trưởng, Chủ tịch Ủy ban nhân dân các tỉnh triển khai các "
        "nhiệm vụ trọng tâm sau:\n\n"
        "I- KHỐI CƠ QUAN QUỐC HỘI\n\n"
        "1. Đảng ủy Quốc hội chỉ đạo triển khai Đề án chuyển đổi số của Quốc hội.\n\n"
        "2. Chỉ đạo nâng cấp hạ tầng công nghệ thông tin, hoàn thành trong tháng 12/2025.\n"
    )
    assert _tasks(text) == [("Đảng ủy Quốc hội",), ("Đảng ủy Quốc hội",)]


def test_prose_right_under_a_unit_heading_is_that_units_work() -> None:
    """ "2. Sở Tài chính" then unmarked paragraphs (no date, no named subject): each is the unit's
    task, as "-" items under it would be; prose under a heading naming no unit stays prose."""
    text = (
        "IV. TỔ CHỨC THỰC HIỆN\n\n"
        "1. Sở Tài chính\n\n"
        "Tham mưu bố trí kinh phí thực hiện Kế hoạch theo quy định.\n\n"
        "Phối hợp với Sở Nội vụ kiểm tra việc sử dụng kinh phí.\n\n"
        "2. Mục tiêu\n\n"
        "Nâng cao chất lượng phục vụ người dân trên địa bàn tỉnh.\n"
    )
    assert _tasks(text) == [("Sở Tài chính",), ("Sở Tài chính",)]


def test_a_short_activity_title_over_its_labelled_fields_is_the_task() -> None:
    """ "1. Hoàn thiện thể chế" (four words) then "- Cơ quan chủ trì: …", "- Thời gian: …": the title
    is the activity, the fields give its lead and deadline."""
    text = (
        "II. NỘI DUNG\n\n1. Hoàn thiện thể chế\n\n- Cơ quan chủ trì: Sở Tư pháp.\n\n"
        "- Cơ quan phối hợp: các sở, ngành.\n\n- Thời gian: Quý I/2026.\n"
    )
    tasks = extract_tasks(DocumentText(name="made-up.txt", text=text, number="15/KH-UBND"))
    assert [(t.action, t.lead) for t in tasks] == [("Hoàn thiện thể chế", ("Sở Tư pháp",))]
    assert tasks[0].deadline.due == dt.date(2026, 3, 31)


def test_qualities_and_rights_listed_as_criteria_are_no_tasks() -> None:
    """ "- Có trình độ …", "- Có năng lực …", "- Được hưởng …": the criteria a person meets or the
    rights they have, not work anyone is given."""
    text = (
        "Tiêu chuẩn đối với Bí thư tỉnh ủy\n\n"
        "- Có trình độ, kiến thức toàn diện về chính trị, kinh tế, văn hóa, xã hội.\n\n"
        "- Có năng lực chỉ đạo tổng kết, đúc rút kinh nghiệm, đề xuất chủ trương mới.\n\n"
        "- Được cơ quan quản lý tạo điều kiện tham gia đào tạo nâng trình độ chuẩn.\n"
    )
    assert _tasks(text) == []


def test_news_prose_under_a_place_heading_is_not_read_as_its_work() -> None:
    """ "(1) Thành phố Cần Thơ" then "Ngày …, UBND thành phố đã ban hành …" and a "## …" section:
    prose that does not open with the work's verb is no task of the heading's unit."""
    text = (
        "Kế hoạch kê khai tài sản năm 2025 của các tỉnh\n\n"
        "**(1) Thành phố Cần Thơ**\n\n"
        "Ngày 02/12/2025, UBND thành phố Cần Thơ đã ban hành Kế hoạch 177/KH-UBND về kê khai tài sản.\n\n"
        "## Phương thức và thời điểm kê khai tài sản, thu nhập\n\n"
        "Căn cứ theo Điều 36 Luật Phòng, chống tham nhũng có nêu cụ thể như sau:\n"
    )
    assert _tasks(text) == []


def test_a_numbered_activity_title_closed_by_a_period_heads_its_bullets() -> None:
    """ "5. Nghiên cứu giải pháp thu hút, tuyển dụng; đào tạo lại nguồn nhân lực." over "-" bullets
    is the activity's title (a plan's heading, no subject, no date), so only the bullets are tasks."""
    text = (
        "5. Nghiên cứu giải pháp thu hút, tuyển dụng; đào tạo, đào tạo lại nguồn nhân lực pháp lý.\n\n"
        "- Sở Nội vụ tham mưu ban hành chính sách thu hút sinh viên tốt nghiệp xuất sắc.\n\n"
        "- Sở Tư pháp tổ chức đào tạo lại đội ngũ công chức làm công tác pháp chế.\n"
    )
    tasks = extract_tasks(DocumentText(name="made-up.txt", text=text, number="15/KH-UBND"))
    assert [t.lead for t in tasks] == [("Sở Nội vụ",), ("Sở Tư pháp",)]


def test_an_approval_is_no_task_unless_it_assigns_work() -> None:
    """ "Đồng ý chủ trương …" or "Biểu dương …" in a conclusion decides or praises; "…, giao Sở X …"
    after it is work, led by the body it names."""
    text = (
        "1. Đồng ý chủ trương đầu tư dự án đường ven biển theo đề xuất của Sở Xây dựng.\n\n"
        "2. Biểu dương tinh thần nỗ lực của Sở Y tế trong công tác phòng, chống dịch bệnh.\n\n"
        "3. Đồng ý chủ trương đầu tư dự án cầu mới, giao Sở Xây dựng hoàn thiện hồ sơ trước 30/6/2026.\n"
    )
    assert _tasks(text) == [("Sở Xây dựng",)]


def test_a_discourse_link_before_the_subject_does_not_hide_it() -> None:
    """ "Trong đó, …", "Đồng thời, …", "Theo đó, …" open a sentence whose subject follows the comma."""
    for link in ("Trong đó", "Đồng thời", "Bên cạnh đó", "Theo đó"):
        text = f"1. {link}, Sở Y tế tập trung rà soát kế hoạch chuyển đổi số, hoàn thành trong năm 2026.\n"
        assert _tasks(text) == [("Sở Y tế",)], link


def test_an_item_whose_long_subject_holds_back_its_verb_is_still_a_task() -> None:
    """ "5. Từng khối cơ quan và các cơ quan, đơn vị thuộc mỗi khối thực hiện nghiêm …": the verb
    comes after fourteen words of subject, which is no reason to drop the item."""
    text = (
        "VI- TỔ CHỨC THỰC HIỆN\n\n"
        "5. Từng khối cơ quan và các cơ quan, đơn vị thuộc mỗi khối thực hiện nghiêm các nhiệm vụ "
        "được giao bảo đảm đồng bộ, hiệu quả.\n"
    )
    assert len(_tasks(text)) == 1
