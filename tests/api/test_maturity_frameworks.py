import copy

from hindsight.service.maturity.framework_service import starter_document
from tests.factories import starter_framework


def _own_framework(key: str = "ours") -> dict:
    doc = copy.deepcopy(starter_document())
    doc["key"] = key
    doc["name"] = "Our framework"
    doc["outcomes"] = doc["outcomes"][:2]
    return doc


def test_the_starter_framework_is_installed_and_readable_by_anyone(api):
    reader = api.make_user("reader")
    page = api.client.get("/v1/maturity/frameworks", headers=reader.headers)
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 1
    assert body["items"][0]["key"] == "hindsight-starter"
    assert body["items"][0]["is_latest"] is True
    full = api.client.get(
        f"/v1/maturity/frameworks/{body['items'][0]['id']}", headers=reader.headers
    ).json()
    assert [o["key"] for o in full["outcomes"]] == [
        "leadership",
        "infrastructure",
        "capture_and_share",
        "people",
        "communities",
        "knowledge_into_change",
    ]
    assert full["outcomes"][2]["sub_outcomes"][0]["level_descriptors"].keys() == {
        "0",
        "1",
        "2",
        "3",
    }


def test_admin_creates_a_framework_and_others_get_403(api):
    contributor = api.make_user("reviewer")
    refused = api.client.post(
        "/v1/maturity/frameworks", json=_own_framework(), headers=contributor.headers
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    created = api.client.post(
        "/v1/maturity/frameworks", json=_own_framework(), headers=api.admin_headers
    )
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    assert len(created.json()["outcomes"]) == 2


def test_posting_an_existing_key_makes_the_next_version_and_supersedes_the_old(api):
    doc = starter_document()
    doc["name"] = "Hindsight starter, revised"
    second = api.client.post("/v1/maturity/frameworks", json=doc, headers=api.admin_headers)
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2
    assert second.json()["is_latest"] is True
    versions = api.client.get(
        "/v1/maturity/frameworks", params={"key": "hindsight-starter"}, headers=api.admin_headers
    ).json()["items"]
    assert [(v["version"], v["is_latest"]) for v in versions] == [(2, True), (1, False)]
    latest = api.client.get(
        "/v1/maturity/frameworks", params={"latest": "true"}, headers=api.admin_headers
    ).json()
    assert [(i["key"], i["version"]) for i in latest["items"]] == [("hindsight-starter", 2)]
    assert latest["total"] == 1


def test_structural_problems_are_422s_naming_every_field(api):
    doc = _own_framework()
    doc["outcomes"][1]["key"] = doc["outcomes"][0]["key"]
    del doc["outcomes"][0]["sub_outcomes"][0]["level_descriptors"]["3"]
    doc["levels"] = [lv for lv in doc["levels"] if lv["level"] != 2] + [
        {"level": 2, "label": "x"},
        {"level": 2, "label": "y"},
    ]
    response = api.client.post("/v1/maturity/frameworks", json=doc, headers=api.admin_headers)
    assert response.status_code == 422
    fields = [d["field"] for d in response.json()["error"]["details"]]
    assert "body.outcomes[1].key" in fields
    assert "body.outcomes[0].sub_outcomes[0].level_descriptors" in fields
    assert "body.levels[4].level" in fields


def test_unknown_fields_in_a_framework_are_422(api):
    doc = _own_framework()
    doc["outcomes"][0]["colour"] = "blue"
    response = api.client.post("/v1/maturity/frameworks", json=doc, headers=api.admin_headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.outcomes.0.colour"


def test_create_is_idempotent_with_a_key(api):
    headers = api.admin_headers | {"Idempotency-Key": "fw-1"}
    first = api.client.post("/v1/maturity/frameworks", json=_own_framework(), headers=headers)
    again = api.client.post("/v1/maturity/frameworks", json=_own_framework(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]


def test_a_missing_framework_is_404(api):
    response = api.client.get("/v1/maturity/frameworks/9999", headers=api.admin_headers)
    assert response.status_code == 404


def test_the_evidence_catalogue_says_which_figures_are_live(api):
    figures = api.client.get("/v1/maturity/evidence-figures", headers=api.admin_headers).json()
    live = {f["key"] for f in figures if f["available"]}
    assert live == {
        "maturity_assessments_last_year",
        "team_curators",
        "members_with_specialisms",
        "reviews_per_project",
        "case_studies_published",
        "barrier_lessons_share",
        "due_diligence_coverage",
        "lessons_applied_by_projects",
        "lessons_reused_elsewhere",
        "lessons_actioned_share",
        "overdue_actions",
        "lessons_learned_share",
        "applications_helped_share",
        "recurring_root_causes",
    }
    waiting = [f for f in figures if not f["available"]]
    assert all(f["note"].startswith("waits for ") for f in waiting)
    starter = starter_framework(api)
    named = {
        key for o in starter["outcomes"] for s in o["sub_outcomes"] for key in s["evidence_figures"]
    }
    assert named <= {f["key"] for f in figures}
