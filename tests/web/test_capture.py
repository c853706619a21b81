"""The capture pages: a report of any kind with lessons on one form, the whys growing a
step at a time without JavaScript, errors beside their fields, and the quick lesson form."""

import re

import pytest
from fastapi.testclient import TestClient

from hindsight.schemas.enums import AssetKind
from hindsight.service.web import capture_form
from tests.factories import Api
from tests.pages import csrf_of, make_person, signed_in

RETROSPECT = "/capture/new?kind=retrospect"


def _writer(api: Api) -> tuple[TestClient, int]:
    team = api.make_team()
    person = make_person(api, "contributor", [team["id"]])
    return signed_in(api.client, person), team["id"]


def _form(client: TestClient, path: str = RETROSPECT) -> dict[str, str]:
    return {"csrf_token": csrf_of(client.get(path).text)}


def _lesson(n: int = 0, **values: str) -> dict[str, str]:
    p = f"lessons-{n}-"
    base = {
        "title": "Referrals waited for the weekly panel",
        "lesson": "Agree a daily referral slot with social care",
        "polarity": "barrier",
        "impact": "high",
        "why_count": "1",
        "five_whys-0-question": "Why were discharges late?",
        "five_whys-0-answer": "Referrals waited for the weekly panel",
        "root_cause-description": "No shared referral process",
        "root_cause-category": "process",
        "applicability-topics": "hospital discharge, social care",
    }
    return {p + k: v for k, v in (base | values).items()}


@pytest.mark.parametrize("kind", [k.value for k in AssetKind])
def test_every_kind_has_a_form_with_its_required_details(api: Api, kind: str) -> None:
    client, _ = _writer(api)
    page = client.get(f"/capture/new?kind={kind}")
    assert page.status_code == 200
    for part in capture_form.detail_fields(kind):
        assert f'id="details-{part.name}"' in page.text
    required = [p for p in capture_form.detail_fields(kind) if p.required]
    assert required, "every kind has at least one required part"
    saved = client.post(
        f"/capture/new?kind={kind}",
        data=_form(client, f"/capture/new?kind={kind}")
        | {"title": "Nothing else", "intent": "save"},
    )
    assert saved.status_code == 422
    for part in required:
        assert f'id="details-{part.name}-error"' in saved.text
        assert f'href="#details-{part.name}"' in saved.text


def test_a_retrospect_with_a_lesson_is_saved_as_a_draft(api: Api) -> None:
    client, team_id = _writer(api)
    data = _form(client) | {
        "title": "Discharge pilot retrospect",
        "details-objectives": "Send patients home sooner",
        "details-what_went_well": "Daily huddles\nShared notes",
        "details-useful_contacts": "Priya Shah, discharge lead, priya@example.org",
        "lesson_count": "1",
        "intent": "save",
        **_lesson(),
    }
    saved = client.post(RETROSPECT, data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    asset_id = int(re.search(r"/assets/(\d+)", saved.headers["location"]).group(1))
    asset = api.client.get(f"/v1/assets/{asset_id}", headers=api.admin_headers).json()
    assert asset["status"] == "draft" and asset["owning_team_id"] == team_id
    assert asset["details"]["what_went_well"] == ["Daily huddles", "Shared notes"]
    assert asset["details"]["useful_contacts"][0]["email"] == "priya@example.org"
    lesson = api.client.get(
        f"/v1/lessons/{asset['lesson_ids'][0]}", headers=api.admin_headers
    ).json()
    assert lesson["five_whys"] == [
        {"question": "Why were discharges late?", "answer": "Referrals waited for the weekly panel"}
    ]
    assert lesson["root_cause"]["category"] == "process"
    assert lesson["applicability"]["topics"] == ["hospital discharge", "social care"]


def test_send_for_review_puts_the_report_in_review(api: Api) -> None:
    client, _ = _writer(api)
    data = _form(client) | {"title": "For review", "details-objectives": "X", "intent": "submit"}
    saved = client.post(RETROSPECT, data=data, follow_redirects=False)
    asset_id = int(re.search(r"/assets/(\d+)", saved.headers["location"]).group(1))
    asset = api.client.get(f"/v1/assets/{asset_id}", headers=api.admin_headers).json()
    assert asset["status"] == "in_review"


def test_add_a_step_and_add_a_lesson_post_back_with_what_was_typed(api: Api) -> None:
    client, _ = _writer(api)
    data = _form(client) | {"title": "Kept", "lesson_count": "0", "intent": "add_lesson"}
    page = client.post(RETROSPECT, data=data)
    assert page.status_code == 200 and 'value="Kept"' in page.text
    assert 'id="lessons-0-title"' in page.text and "autofocus" in page.text
    grown = client.post(
        RETROSPECT,
        data=_form(client) | {"lesson_count": "1", "intent": "add_why:0", **_lesson()},
    )
    assert 'id="lessons-0-five_whys-1-question"' in grown.text
    assert "Why were discharges late?" in grown.text
    assert 'name="lessons-0-why_count" value="2"' in grown.text


def test_errors_sit_beside_their_fields_with_a_summary(api: Api) -> None:
    client, _ = _writer(api)
    bad = _lesson(**{"root_cause-description": "", "root_cause-category": "", "polarity": ""})
    data = _form(client) | {"title": "", "lesson_count": "1", "intent": "save", **bad}
    page = client.post(RETROSPECT, data=data)
    assert page.status_code == 422
    assert "There is a problem" in page.text
    for field in (
        "title",
        "details-objectives",
        "lessons-0-polarity",
        "lessons-0-root_cause-description",
    ):
        assert f'id="{field}-error"' in page.text, field
        assert f'href="#{field}"' in page.text, field
    assert "Lesson 1: Enter the root cause the whys lead to" in page.text


def test_a_reader_cannot_capture(api: Api) -> None:
    reader = signed_in(api.client, make_person(api, "reader", [api.make_team()["id"]]))
    assert reader.get("/capture").status_code == 403


def test_capture_without_the_csrf_token_is_refused(api: Api) -> None:
    client, _ = _writer(api)
    refused = client.post(RETROSPECT, data={"title": "No token", "intent": "save"})
    assert refused.status_code == 403


def test_quick_form_logs_one_lesson_on_a_report(api: Api) -> None:
    client, _ = _writer(api)
    data = _form(client) | {"title": "Holder", "details-objectives": "X", "intent": "save"}
    saved = client.post(RETROSPECT, data=data, follow_redirects=False)
    asset_id = re.search(r"/assets/(\d+)", saved.headers["location"]).group(1)
    page = client.get("/capture/lesson")
    assert f'value="{asset_id}"' in page.text
    missing = client.post(
        "/capture/lesson", data={"csrf_token": csrf_of(page.text), "title": "Only a title"}
    )
    assert missing.status_code == 422
    assert 'id="lesson-error"' in missing.text
    fields = {k.removeprefix("lessons-0-"): v for k, v in _lesson().items()}
    logged = client.post(
        "/capture/lesson",
        data={"csrf_token": csrf_of(page.text), "asset_id": asset_id, **fields},
        follow_redirects=False,
    )
    assert logged.status_code == 303, logged.text
    lesson_id = logged.headers["location"].split("/")[2].split("?")[0]
    lesson = api.client.get(f"/v1/lessons/{lesson_id}", headers=api.admin_headers).json()
    assert lesson["asset_id"] == int(asset_id) and lesson["root_cause"]["category"] == "process"


def test_quick_form_logs_a_lesson_that_stands_alone(api: Api) -> None:
    client, _ = _writer(api)
    page = client.get("/capture/lesson")
    fields = {k.removeprefix("lessons-0-"): v for k, v in _lesson().items()}
    logged = client.post(
        "/capture/lesson",
        data={"csrf_token": csrf_of(page.text), "asset_id": "", **fields},
        follow_redirects=False,
    )
    assert logged.status_code == 303, logged.text
    lesson_id = logged.headers["location"].split("/")[2].split("?")[0]
    lesson = api.client.get(f"/v1/lessons/{lesson_id}", headers=api.admin_headers).json()
    assert lesson["asset_id"] is None and lesson["visibility"] == "internal"
    assert lesson["owning_team_id"] is not None


def test_a_draft_sent_back_is_edited_and_sent_again(api: Api) -> None:
    client, _ = _writer(api)
    data = _form(client) | {
        "title": "First go",
        "details-objectives": "Send patients home sooner",
        "details-useful_contacts": "Priya Shah, discharge lead",
        "lesson_count": "1",
        "intent": "save",
        **_lesson(),
    }
    saved = client.post(RETROSPECT, data=data, follow_redirects=False)
    asset_id = int(re.search(r"/assets/(\d+)", saved.headers["location"]).group(1))
    edit = client.get(f"/capture/{asset_id}/edit")
    assert edit.status_code == 200
    assert 'value="First go"' in edit.text and "Priya Shah, discharge lead" in edit.text
    assert "Why were discharges late?" in edit.text and 'name="lessons-0-id"' in edit.text
    form = {k: v for k, v in data.items() if k != "csrf_token"}
    lesson_id = re.search(r'name="lessons-0-id" value="(\d+)"', edit.text).group(1)
    changed = form | {
        "csrf_token": csrf_of(edit.text),
        "version": re.search(r'name="version" value="(\d+)"', edit.text).group(1),
        "title": "Second go",
        "lessons-0-id": lesson_id,
        "lessons-0-version": re.search(r'name="lessons-0-version" value="(\d+)"', edit.text).group(
            1
        ),
        "lessons-0-lesson": "Agree a daily slot, owned by one person",
        "lesson_count": "2",
        "intent": "submit",
        **_lesson(1, title="A second lesson"),
    }
    sent = client.post(f"/capture/{asset_id}/edit", data=changed, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    asset = api.client.get(f"/v1/assets/{asset_id}", headers=api.admin_headers).json()
    assert asset["title"] == "Second go" and asset["status"] == "in_review"
    assert len(asset["lesson_ids"]) == 2
    first = api.client.get(f"/v1/lessons/{lesson_id}", headers=api.admin_headers).json()
    assert first["lesson"] == "Agree a daily slot, owned by one person"
    # In review now: not editable until a reviewer sends it back.
    assert client.get(f"/capture/{asset_id}/edit").status_code == 409
    stale = client.post(f"/capture/{asset_id}/edit", data=changed)
    assert stale.status_code == 409
