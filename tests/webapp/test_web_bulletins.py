"""Bản tin: an editor lists the drafts, edits one in the browser (include, order, section, title,
lead text), previews it, downloads HTML and Word, and queues it for the mailing list; nobody else
opens these pages."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document as read_docx
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from crawler.config import BulletinConfig, Config, GeneralConfig
from crawler.storage.schema import OutboxMessage
from notifier.bulletin.draft import draft_bulletin, week_period
from notifier.bulletin.draftfile import load_draft
from tests.bulletin.rows import ARTICLES, add_rows
from tests.webapp.browser import browser_page, live_app
from tests.webapp.test_web_access import csrf_of, log_in
from tests.webapp.webdata import AS_OF, PASSWORD, Seeded
from web.app import create_app

MAILING_LIST = ("lanhdao.snv@nghean.gov.vn", "cchc.snv@nghean.gov.vn")
NAME = "ban-tin-2025-W14"


@pytest.fixture
def bulletin_config(web_engine: Engine, seeded: Seeded, tmp_path: Path) -> Config:
    """A config whose output folder holds the week 2025-W14 draft of the seed articles."""
    config = Config(general=GeneralConfig(output_dir=str(tmp_path / "out")),
                    bulletin=BulletinConfig(mailing_list=MAILING_LIST))
    with Session(web_engine) as session:
        add_rows(session, ARTICLES)
        draft_bulletin(session, week_period("2025-W14"), tmp_path / "out" / "bulletin" / f"{NAME}.toml")
    return config


@pytest.fixture
def editor(web_engine: Engine, bulletin_config: Config) -> Iterator[TestClient]:
    """A client logged in as the editor on the application with that config."""
    app = create_app(web_engine, "bi-mat-ban-tin", as_of=AS_OF, config=bulletin_config)
    with TestClient(app, follow_redirects=False) as client:
        assert log_in(client, "bientap") == 303
        yield client


def draft_file(config: Config) -> Path:
    """The draft's path."""
    return Path(config.general.output_dir) / "bulletin" / f"{NAME}.toml"


def test_only_editors_open_the_bulletin_pages(web_engine: Engine, bulletin_config: Config,
                                              seeded: Seeded) -> None:
    app = create_app(web_engine, "bi-mat-ban-tin", as_of=AS_OF, config=bulletin_config)
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/ban-tin").headers["location"].startswith("/dang-nhap")
        client.get(f"/lien-ket/{seeded.health_link}")
        assert client.get("/ban-tin").status_code == 403
        assert client.get(f"/ban-tin/{NAME}/tai.docx").status_code == 403
        log_in(client, "vanhanh")
        assert client.get(f"/ban-tin/{NAME}").status_code == 403
        token = csrf_of(client, "/dang-nhap")
        assert client.post(f"/ban-tin/{NAME}/gui", data={"csrf": token}).status_code == 403
        assert client.post("/ban-tin/moi", data={"csrf": token, "tuan": "2025-W15"}).status_code == 403


def test_list_names_the_draft_and_unknown_names_are_not_found(editor: TestClient) -> None:
    page = editor.get("/ban-tin").text
    assert f'href="/ban-tin/{NAME}"' in page and "Số 14/2025" in page
    assert editor.get("/ban-tin/khong-co").status_code == 404
    assert editor.get("/ban-tin/..%2F..%2Fweb/tai.html").status_code == 404
    assert editor.get(f"/ban-tin/{NAME}/tai.pdf").status_code == 404


def test_an_editor_drafts_a_week_from_the_list_and_an_existing_draft_is_kept(
        editor: TestClient, bulletin_config: Config) -> None:
    path = draft_file(bulletin_config)
    made_by_the_service = load_draft(path)
    edited = path.read_text(encoding="utf-8").replace(made_by_the_service.title, "Bản tin đã sửa tay")
    path.write_text(edited, encoding="utf-8")
    page = editor.get("/ban-tin").text
    assert 'action="/ban-tin/moi"' in page and 'name="tuan"' in page
    token = csrf_of(editor, "/ban-tin")
    kept = editor.post("/ban-tin/moi", data={"csrf": token, "tuan": "2025-W14"})
    assert kept.headers["location"] == f"/ban-tin/{NAME}?da=da-co"
    assert path.read_text(encoding="utf-8") == edited
    path.unlink()
    made = editor.post("/ban-tin/moi", data={"csrf": token, "tuan": "2025-W14"})
    assert made.status_code == 303 and made.headers["location"] == f"/ban-tin/{NAME}?da=moi"
    drafted = load_draft(path)
    assert [item.id for item in drafted.items] == [item.id for item in made_by_the_service.items]
    assert drafted.items and drafted.issue == "Số 14/2025"
    assert "Đã soạn bản nháp" in editor.get(made.headers["location"]).text
    wrong = editor.post("/ban-tin/moi", data={"csrf": token, "tuan": "2025-W60"})
    assert wrong.status_code == 400 and "không có tuần 60" in wrong.text
    assert editor.post("/ban-tin/moi", data={"csrf": "sai", "tuan": "2025-W15"}).status_code == 403


def test_a_bad_order_is_refused_and_the_file_kept(editor: TestClient, bulletin_config: Config) -> None:
    before = draft_file(bulletin_config).read_text(encoding="utf-8")
    item = load_draft(draft_file(bulletin_config)).items[0]
    form = {"csrf": csrf_of(editor, f"/ban-tin/{NAME}"), "tieu-de": "Bản tin", f"tin-{item.id}-co": "1",
            f"tin-{item.id}-tieu-de": "Tiêu đề", f"tin-{item.id}-muc": item.section,
            f"tin-{item.id}-thu-tu": "mười", f"tin-{item.id}-tom-tat": "x"}
    response = editor.post(f"/ban-tin/{NAME}", data=form)
    assert response.status_code == 400 and "thứ tự phải là một số nguyên" in response.text
    assert draft_file(bulletin_config).read_text(encoding="utf-8") == before


def test_sending_queues_one_mail_per_address_once(editor: TestClient, web_engine: Engine) -> None:
    token = csrf_of(editor, f"/ban-tin/{NAME}")
    first = editor.post(f"/ban-tin/{NAME}/gui", data={"csrf": token})
    assert first.status_code == 303 and "n=2" in first.headers["location"]
    again = editor.post(f"/ban-tin/{NAME}/gui", data={"csrf": token})
    assert "da=gui-0" in again.headers["location"]
    assert "không thêm thư nào" in editor.get(again.headers["location"]).text
    with Session(web_engine) as session:
        rows = session.execute(select(OutboxMessage.address, OutboxMessage.subject)).all()
    assert sorted(rows) == sorted((address, "Bản tin CCHC số 14/2025") for address in MAILING_LIST)


@pytest.mark.slow
def test_editor_edits_previews_downloads_and_sends_in_the_browser(
        web_engine: Engine, bulletin_config: Config, seeded: Seeded) -> None:
    draft = load_draft(draft_file(bulletin_config))
    dropped, moved = draft.items[0], draft.items[1]
    other = next(s for s in draft.sections if s.key != moved.section)
    with live_app(web_engine, config=bulletin_config) as base, browser_page(390, 844) as page:
        page.goto(f"{base}/dang-nhap?tiep=/ban-tin")
        page.fill("input[name=ten]", "bientap")
        page.fill("input[name=mat_khau]", PASSWORD)
        page.click("button:has-text('Đăng nhập')")
        page.click(f"a[href='/ban-tin/{NAME}']")
        page.fill("input[name=tieu-de]", "Bản tin cải cách hành chính Sở Nội vụ")
        page.uncheck(f"input[name=tin-{dropped.id}-chon]")
        page.select_option(f"select[name=tin-{moved.id}-muc]", other.key)
        page.fill(f"input[name=tin-{moved.id}-thu-tu]", "1")
        page.fill(f"input[name=tin-{moved.id}-tieu-de]", "Tiêu đề đã biên tập lại")
        page.fill(f"textarea[name=tin-{moved.id}-tom-tat]", "Đoạn dẫn thứ nhất.\n\nĐoạn dẫn thứ hai.")
        page.click("button:has-text('Lưu bản nháp')")
        assert page.locator("p.notice").inner_text() == "Đã lưu bản nháp."
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        saved = load_draft(draft_file(bulletin_config))
        changed = next(item for item in saved.items if item.id == moved.id)
        assert saved.title == "Bản tin cải cách hành chính Sở Nội vụ"
        assert (changed.section, changed.order, changed.title) == (other.key, 1, "Tiêu đề đã biên tập lại")
        assert changed.summary == "Đoạn dẫn thứ nhất.\n\nĐoạn dẫn thứ hai."
        assert not next(item for item in saved.items if item.id == dropped.id).include
        preview = page.context.new_page()
        preview.goto(f"{base}/ban-tin/{NAME}/xem")
        text = preview.locator("body").inner_text()
        assert "Tiêu đề đã biên tập lại" in text and "Đoạn dẫn thứ hai." in text
        assert dropped.title not in text
        with page.expect_download() as download:
            page.click("a:has-text('Tải Word (DOCX)')")
        path = download.value.path()
        document = read_docx(io.BytesIO(Path(path).read_bytes()))
        paragraphs = [paragraph.text for paragraph in document.paragraphs]
        assert any("Tiêu đề đã biên tập lại" in line for line in paragraphs)
        assert not any(dropped.title in line for line in paragraphs)
        page.click("button:has-text('Gửi tới danh sách nhận bản tin')")
        assert re.search(r"Đã đưa 2 thư vào hộp thư đi", page.locator("p.notice").inner_text())


def test_sending_without_a_mailing_list_says_so(web_engine: Engine, bulletin_config: Config) -> None:
    app = create_app(web_engine, "bi-mat-ban-tin", as_of=AS_OF,
                     config=replace(bulletin_config, bulletin=BulletinConfig()))
    with TestClient(app, follow_redirects=False) as client:
        log_in(client, "bientap")
        refused = client.post(f"/ban-tin/{NAME}/gui", data={"csrf": csrf_of(client, f"/ban-tin/{NAME}")})
    assert refused.status_code == 400 and "Chưa có ai nhận bản tin" in refused.text
    with Session(web_engine) as session:
        assert session.execute(select(OutboxMessage.id)).first() is None
