"""Bulletin sections and masthead from the config's [bulletin] table: the built-in three by default,
the editor's own sections and keyword rules when listed, and clear errors for a wrong table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from crawler.config import Config, load_config
from crawler.errors import ConfigError
from notifier.bulletin.classify import DEFAULT_SECTIONS, section_rules
from notifier.bulletin.draft import draft_from_config, week_period
from notifier.bulletin.draftfile import load_draft

from .rows import ARTICLES

OWN_SECTIONS = """
[bulletin]
title = "Bản tin cải cách hành chính tỉnh Nghệ An"
publisher = "Sở Nội vụ tỉnh Nghệ An"

[[bulletin.sections]]
key = "chung"
title = "Tin chung"
default = true

[[bulletin.sections]]
key = "chuyen-doi-so"
title = "Chuyển đổi số"
title_words = ["CHUYỂN ĐỔI SỐ", "phân luồng"]
priority = 1

[[bulletin.sections]]
key = "bao-chi"
title = "Báo Nhân Dân, Sài Gòn Giải Phóng"
sources = ["Nhandan.vn"]
url_words = ["/binh-luan/"]
priority = 2
"""


def config_of(tmp_path: Path, text: str) -> Config:
    """Load a config file holding `text`."""
    path = tmp_path / "dondoc.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def draft_sections(session: Session, config: Config, tmp_path: Path) -> dict[str, str]:
    """Draft week 2025-W14 with the config; each item's title start mapped to its section key."""
    path = tmp_path / "ban-tin.toml"
    draft_from_config(session, config, week_period("2025-W14"), path)
    return {item.title[:20]: item.section for item in load_draft(path).items}


def test_no_sections_in_config_means_the_built_in_three(
    session: Session, article_ids: list[int], tmp_path: Path
) -> None:
    config = config_of(tmp_path, "[bulletin]\nmailing_list = []\n")
    assert section_rules(config.bulletin.sections) == DEFAULT_SECTIONS
    sections = draft_sections(session, config, tmp_path)
    assert sections["Khi khu vực công áp "] == "phan-tich-binh-luan"
    assert sections["Tỉnh Nghệ An xử lý n"] == "dia-phuong"


def test_configured_sections_and_masthead_drive_the_draft(
    session: Session, article_ids: list[int], tmp_path: Path
) -> None:
    config = config_of(tmp_path, OWN_SECTIONS)
    path = tmp_path / "ban-tin.toml"
    draft_from_config(session, config, week_period("2025-W14"), path)
    draft = load_draft(path)
    assert [(s.key, s.title) for s in draft.sections] == [
        ("chung", "Tin chung"),
        ("chuyen-doi-so", "Chuyển đổi số"),
        ("bao-chi", "Báo Nhân Dân, Sài Gòn Giải Phóng"),
    ]
    assert (draft.title, draft.publisher) == (
        "Bản tin cải cách hành chính tỉnh Nghệ An",
        "Sở Nội vụ tỉnh Nghệ An",
    )
    sections = {item.url: item.section for item in draft.items}
    assert sections == {
        ARTICLES[0].url: "chung",
        ARTICLES[1].url: "bao-chi",  # source rule
        ARTICLES[3].url: "chuyen-doi-so",  # "phân luồng" in the title
        ARTICLES[4].url: "chuyen-doi-so",  # title words ignore case; priority 1 wins over the source rule
        ARTICLES[5].url: "chung",  # no local rule configured
        ARTICLES[6].url: "bao-chi",  # URL rule
        ARTICLES[7].url: "chung",
    }


@pytest.mark.parametrize(
    ("sections", "problem"),
    [
        ('[[bulletin.sections]]\nkey = "a"\ntitle = "A"\n', "đúng một mục mặc định"),
        (
            '[[bulletin.sections]]\nkey = "a"\ntitle = "A"\ndefault = true\n'
            '[[bulletin.sections]]\nkey = "a"\ntitle = "B"\n',
            "bị lặp",
        ),
        ('[[bulletin.sections]]\nkey = "a"\ndefault = true\n', "bulletin.sections[0].title"),
        ('[[bulletin.sections]]\nkey = "a"\ntitle = "A"\nwords = ["x"]\n', "bulletin.sections[0].words"),
        ('[bulletin]\nmailing_list = ["Ban CCHC <cchc@x.gov.vn>"]\n', "bulletin.mailing_list[0]"),
    ],
)
def test_wrong_bulletin_table_is_a_clear_config_error(tmp_path: Path, sections: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(problem)):
        config_of(tmp_path, sections)
