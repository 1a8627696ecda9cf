"""The Văn bản page: tasks marked in the text, editors' corrections kept over re-extraction, and a
unit's link that may read a document but never change it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from tests.webapp.letters import FINANCE_NA, POLICE, Letter, extract_again, store_letter
from tests.webapp.test_web_access import csrf_of, log_in, unit_url
from tests.webapp.webdata import HEALTH, Seeded


@pytest.fixture
def letter(web_engine: Engine, seeded: Seeded) -> Letter:
    """The extracted letter in the web database."""
    return store_letter(web_engine)


def _fix_path(letter: Letter, action: str = "sua") -> str:
    """The path of a correction form of the police task."""
    return f"/van-ban/{letter.document_id}/nhiem-vu/{letter.police_task}/{action}"


def _correct(client: TestClient, letter: Letter, **fields: str) -> int:
    """Submit the police task's correction form with its present values changed by `fields`."""
    page = client.get(f"/van-ban/{letter.document_id}").text
    form = page[page.index(f'action="{_fix_path(letter)}"'):]
    values = dict(re.findall(r'name="(chu_tri|phoi_hop|han)" value="([^"]*)"', form)[:3])
    action = re.search(r'name="noi_dung"[^>]*>([^<]*)</textarea>', form)
    assert action
    data = {"csrf": csrf_of(client, f"/van-ban/{letter.document_id}"), **values, "noi_dung": action.group(1),
            **fields}
    return client.post(_fix_path(letter), data=data).status_code


def test_document_page_marks_each_task_in_the_text_with_its_metadata(
        client: TestClient, letter: Letter) -> None:
    log_in(client, "bientap")
    page = client.get(f"/van-ban/{letter.document_id}")
    assert page.status_code == 200
    text = page.text
    assert "10447/UBND-VX" in text and "UBND tỉnh Nghệ An" in text and "03/10/2025" in text
    assert 'href="http://127.0.0.1:8000/?docid=10447"' in text
    marks = re.findall(r'<mark class="nv">(.*?)</mark>', text, re.S)
    assert len(marks) == 2
    police = next(mark for mark in marks if f'id="nv-{letter.police_task}"' in mark)
    assert "Công an tỉnh chủ trì triển khai" in police and "trước ngày 16/10/2025" in police
    assert f'href="/nhiem-vu/{letter.police_task}"' in text
    assert text.count('class="correct"') == 3  # each task's form and the form adding a missed one
    task_page = client.get(f"/nhiem-vu/{letter.police_task}").text
    assert f'href="/van-ban/{letter.document_id}#nv-{letter.police_task}"' in task_page


def test_a_corrected_lead_stays_after_reextraction_and_moves_the_task(
        client: TestClient, web_engine: Engine, letter: Letter) -> None:
    log_in(client, "bientap")
    assert _correct(client, letter, chu_tri=FINANCE_NA, han="2025-10-30") == 303
    extract_again(web_engine, letter.document_id)
    page = client.get(f"/van-ban/{letter.document_id}").text
    assert "đã sửa chủ trì thành “Sở Tài chính tỉnh Nghệ An” bởi bientap lúc" in page
    assert "đã sửa thời hạn thành “30/10/2025”" in page
    task_page = client.get(f"/nhiem-vu/{letter.police_task}").text
    assert f"Biên tập viên sửa chủ trì: {POLICE} → {FINANCE_NA} (bientap)" in task_page
    assert f'href="/nhiem-vu/{letter.police_task}"' in client.get(unit_url(FINANCE_NA)).text
    assert f'href="/nhiem-vu/{letter.police_task}"' not in client.get(unit_url(POLICE)).text
    api = client.get("/api/tasks").json()
    assert next(t for t in api if t["id"] == letter.police_task)["lead"] == [FINANCE_NA]
    assert _correct(client, letter) == 303  # the same values again: nothing new is stored
    assert client.get(f"/nhiem-vu/{letter.police_task}").text.count("Biên tập viên sửa") == 2


def test_a_false_task_leaves_lists_and_an_added_one_joins_them(client: TestClient, letter: Letter) -> None:
    log_in(client, "bientap")
    token = csrf_of(client, f"/van-ban/{letter.document_id}")
    marked = client.post(_fix_path(letter, "khong-phai"), data={"csrf": token, "gia_tri": "1"})
    assert marked.status_code == 303
    assert letter.police_task not in {t["id"] for t in client.get("/api/tasks").json()}
    assert f'href="/nhiem-vu/{letter.police_task}"' not in client.get(unit_url(POLICE)).text
    page = client.get(f"/van-ban/{letter.document_id}").text
    assert "đánh dấu không phải nhiệm vụ bởi bientap" in page and "Bỏ đánh dấu: đây là nhiệm vụ" in page
    added = client.post(f"/van-ban/{letter.document_id}/them", data={
        "csrf": token, "noi_dung": "Sở Nội vụ rà soát biên chế", "chu_tri": "Sở Nội vụ tỉnh Nghệ An",
        "phoi_hop": "", "han": "15/11/2025"})
    assert added.status_code == 303
    found = [t for t in client.get("/api/tasks").json() if t["action"] == "Sở Nội vụ rà soát biên chế"]
    assert len(found) == 1 and found[0]["lead"] == ["Sở Nội vụ tỉnh Nghệ An"]
    page = client.get(f"/van-ban/{letter.document_id}").text
    assert "biên tập viên thêm (nhiệm vụ bị bỏ sót) bởi bientap" in page
    bad = client.post(f"/van-ban/{letter.document_id}/them",
                      data={"csrf": token, "noi_dung": "x", "han": "31/02/2025"})
    assert "loi=han" in bad.headers["location"]


def test_a_unit_link_reads_its_documents_but_cannot_correct(
        client: TestClient, letter: Letter, seeded: Seeded) -> None:
    assert client.get(f"/van-ban/{letter.document_id}").status_code == 303  # nobody logged in: to the login
    client.get(f"/lien-ket/{seeded.health_link}")
    own = client.get("/van-ban/1")  # the seeded plan, which gives the health ministry two tasks
    assert own.status_code == 200 and f'href="/nhiem-vu/{seeded.overdue}"' in own.text
    assert 'class="correct"' not in own.text and "/sua" not in own.text
    token = csrf_of(client, unit_url(HEALTH))
    refused = client.post(f"/van-ban/1/nhiem-vu/{seeded.overdue}/sua",
                          data={"csrf": token, "chu_tri": "Bộ Tài chính"})
    assert refused.status_code == 403
    assert client.post("/van-ban/1/them", data={"csrf": token, "noi_dung": "Việc mới"}).status_code == 403
    assert client.post("/van-ban/1/doc-lai", data={"csrf": token}).status_code == 403
    assert client.get(f"/van-ban/{letter.document_id}").status_code == 403  # assigns the ministry nothing


def test_correction_forms_need_the_session_token(client: TestClient, letter: Letter) -> None:
    log_in(client, "bientap")
    response = client.post(_fix_path(letter), data={"csrf": "sai", "chu_tri": FINANCE_NA})
    assert response.status_code == 403
    assert f'href="/nhiem-vu/{letter.police_task}"' in client.get(unit_url(POLICE)).text
