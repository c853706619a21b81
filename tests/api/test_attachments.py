"""Attachments: upload streamed and judged by content, stored by hash, text searched with the
asset, downloaded with the asset's visibility and safe headers. Both databases."""

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hindsight.service.app import create_app
from hindsight.service.attachments import sniff
from hindsight.service.settings import Settings
from tests import files
from tests.factories import Api, Caller, if_match, make_asset
from tests.search_helpers import index_now


@pytest.fixture
def team(api: Api) -> dict:
    return api.make_team()


@pytest.fixture
def owner(api: Api, team: dict) -> Caller:
    return api.make_user("contributor", [team["id"]])


def upload(api: Api, headers: dict, asset_id: int, name: str, data: bytes, **kw):
    return api.client.post(
        f"/v1/assets/{asset_id}/attachments",
        files={"file": (name, data, kw.pop("client_type", "application/octet-stream"))},
        headers={**headers, **kw.pop("extra_headers", {})},
    )


def search_ids(api: Api, headers: dict, q: str) -> set[int]:
    found = api.client.get("/v1/search", params={"q": q, "type": "asset"}, headers=headers)
    assert found.status_code == 200, found.text
    return {item["id"] for item in found.json()["items"]}


def blobs_dir(settings: Settings) -> Path:
    return settings.data_dir / "attachments"


def test_a_word_only_inside_an_attached_pdf_finds_the_asset(api: Api, owner: Caller) -> None:
    asset = make_asset(api, owner, title="Ward move retrospect")
    data = files.pdf("The quokka protocol cut delays", "second page line")
    response = upload(api, owner.headers, asset["id"], "report.pdf", data)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["filename"] == "report.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    # The upload does not wait for the text: a worker process reads it afterwards.
    assert body["text_status"] == "pending" and body["has_text"] is False
    assert search_ids(api, owner.headers, "quokka") == set()  # not before indexing
    index_now(api)
    assert search_ids(api, owner.headers, "quokka") == {asset["id"]}
    listed = api.client.get(f"/v1/assets/{asset['id']}/attachments", headers=owner.headers)
    read = listed.json()["items"][0]
    assert (read["text_status"], read["has_text"], read["text_status_reason"]) == (
        "done",
        True,
        None,
    )


def test_docx_and_text_files_are_searched_too(api: Api, owner: Caller) -> None:
    asset = make_asset(api, owner)
    docx = upload(api, owner.headers, asset["id"], "a.docx", files.docx_file("wombat")).json()
    assert docx["text_status"] == "pending"
    notes = b"# Notes\n\nThe **numbat** rota worked.\n"
    md = upload(api, owner.headers, asset["id"], "notes.md", notes).json()
    assert md["content_type"] == sniff.MARKDOWN
    assert md["text_status"] == "done" and md["has_text"]  # plain text is read at once
    csv = upload(api, owner.headers, asset["id"], "t.csv", b"ward,delay\nbilby,3\n").json()
    assert csv["content_type"] == sniff.CSV
    index_now(api)
    for word in ("wombat", "numbat", "bilby", "cell-two"):
        assert search_ids(api, owner.headers, word) == {asset["id"]}, word


def test_download_returns_the_bytes_with_safe_headers(api: Api, owner: Caller) -> None:
    asset = make_asset(api, owner)
    data = files.pdf("hello")
    created = upload(api, owner.headers, asset["id"], "Ré port;<v2>.pdf", data).json()
    response = api.client.get(f"/v1/attachments/{created['id']}", headers=owner.headers)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''R%C3%A9%20port%3B%3Cv2%3E.pdf" in disposition
    assert 'filename="R_ port;<v2>.pdf"' in disposition
    assert "sandbox" in response.headers["content-security-policy"]


def test_names_lose_folders_and_control_characters(api: Api, owner: Caller) -> None:
    asset = make_asset(api, owner)
    # Raw bytes: httpx would percent-escape the control character itself.
    body = (
        b'--b0\r\nContent-Disposition: form-data; name="file"; filename="..\\etc/pass\x07wd"'
        b"\r\n\r\ntext\r\n--b0--\r\n"
    )
    created = api.client.post(
        f"/v1/assets/{asset['id']}/attachments",
        content=body,
        headers={**owner.headers, "Content-Type": "multipart/form-data; boundary=b0"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["filename"] == "passwd"
    nameless = upload(api, owner.headers, asset["id"], "..", b"text").json()
    assert nameless["filename"] == "attachment"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("notes.txt", files.pdf("x"), "application/pdf"),  # the name does not decide
        ("photo.jpg", files.PNG, "image/png"),
        ("photo.png", files.JPEG, "image/jpeg"),
        ("sheet.bin", files.ooxml(f"{sniff.XLSX}.main+xml"), sniff.XLSX),
        ("deck", files.ooxml(f"{sniff.PPTX}.main+xml", part_name="/ppt/p.xml"), sniff.PPTX),
        ("letter.pdf", files.docx_file("hi"), sniff.DOCX),
        ("readme", "Grüße, plain UTF-8\n".encode(), sniff.TEXT),
    ],
)
def test_the_type_is_judged_by_content(api: Api, owner: Caller, name, data, expected) -> None:
    asset = make_asset(api, owner)
    response = upload(api, owner.headers, asset["id"], name, data, client_type="image/png")
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == expected


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("image.png", files.GIF),
        ("archive.docx", files.plain_zip()),
        ("macro.docx", files.ooxml("application/vnd.ms-word.document.macroEnabled.main+xml")),
        ("binary.txt", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256))),
        ("latin1.txt", "café".encode("latin-1")),
    ],
)
def test_other_types_are_415_and_leave_nothing(
    api: Api, owner: Caller, settings: Settings, name, data
) -> None:
    asset = make_asset(api, owner)
    response = upload(api, owner.headers, asset["id"], name, data)
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert "PDF, DOCX" in response.json()["error"]["message"]
    assert list(blobs_dir(settings).rglob("*.part")) == []
    listed = api.client.get(f"/v1/assets/{asset['id']}/attachments", headers=owner.headers)
    assert listed.json()["total"] == 0


@pytest.mark.parametrize("data", [b"%PDF-1.4\n1 0 obj garbage", files.encrypted_pdf("hidden")])
def test_a_malformed_or_encrypted_pdf_is_kept_without_text(api: Api, owner: Caller, data) -> None:
    asset = make_asset(api, owner)
    response = upload(api, owner.headers, asset["id"], "broken.pdf", data)
    assert response.status_code == 201, response.text
    assert response.json()["has_text"] is False
    index_now(api)
    assert search_ids(api, owner.headers, "hidden") == set()
    listed = api.client.get(f"/v1/assets/{asset['id']}/attachments", headers=owner.headers)
    read = listed.json()["items"][0]
    assert read["text_status"] == "skipped" and read["text_status_reason"]


@pytest.fixture
def small_limit_api(settings: Settings):
    limited = settings.model_copy(update={"max_upload_bytes": 4096})
    with TestClient(create_app(limited), raise_server_exceptions=False) as client:
        yield Api(client), limited


def test_a_file_over_the_limit_is_413_and_leaves_nothing(small_limit_api) -> None:
    api, settings = small_limit_api
    owner = api.make_user("contributor", [api.make_team()["id"]])
    asset = make_asset(api, owner)
    fits = upload(api, owner.headers, asset["id"], "fits.txt", b"a" * 4096)
    assert fits.status_code == 201, fits.text
    response = upload(api, owner.headers, asset["id"], "big.txt", b"a" * 4097)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert "HINDSIGHT_MAX_UPLOAD_BYTES" in response.json()["error"]["message"]
    assert list(blobs_dir(settings).rglob("*.part")) == []
    listed = api.client.get(f"/v1/assets/{asset['id']}/attachments", headers=owner.headers)
    assert [a["filename"] for a in listed.json()["items"]] == ["fits.txt"]


def test_equal_files_share_one_blob_until_the_last_is_deleted(
    api: Api, owner: Caller, settings: Settings
) -> None:
    first, second = make_asset(api, owner), make_asset(api, owner)
    data = files.pdf("shared bytes")
    a = upload(api, owner.headers, first["id"], "a.pdf", data).json()
    b = upload(api, owner.headers, second["id"], "b.pdf", data).json()
    assert a["sha256"] == b["sha256"]
    blob = blobs_dir(settings) / a["sha256"][:2] / a["sha256"][2:]
    assert blob.read_bytes() == data
    assert len([p for p in blobs_dir(settings).rglob("*") if p.is_file()]) == 1
    assert (
        api.client.delete(f"/v1/attachments/{a['id']}", headers=if_match(owner, 1)).status_code
        == 204
    )
    assert blob.exists()  # still named by b
    gone = api.client.get(f"/v1/attachments/{a['id']}", headers=owner.headers)
    assert gone.status_code == 404
    assert (
        api.client.delete(f"/v1/attachments/{b['id']}", headers=if_match(owner, 1)).status_code
        == 204
    )
    assert not blob.exists()


def test_deleting_an_attachment_removes_its_words_from_search(api: Api, owner: Caller) -> None:
    asset = make_asset(api, owner)
    created = upload(api, owner.headers, asset["id"], "n.txt", b"pangolin count").json()
    index_now(api)
    assert search_ids(api, owner.headers, "pangolin") == {asset["id"]}
    api.client.delete(f"/v1/attachments/{created['id']}", headers=if_match(owner, 1))
    index_now(api)
    assert search_ids(api, owner.headers, "pangolin") == set()


def test_deleting_a_draft_asset_removes_its_blobs(
    api: Api, owner: Caller, settings: Settings
) -> None:
    asset = make_asset(api, owner)
    created = upload(api, owner.headers, asset["id"], "n.txt", b"to be deleted").json()
    blob = blobs_dir(settings) / created["sha256"][:2] / created["sha256"][2:]
    assert blob.exists()
    deleted = api.client.delete(f"/v1/assets/{asset['id']}", headers=if_match(owner, 1))
    assert deleted.status_code == 204
    assert not blob.exists()
    gone = api.client.get(f"/v1/attachments/{created['id']}", headers=api.admin_headers)
    assert gone.status_code == 404


def test_a_hidden_asset_hides_its_attachments(api: Api, owner: Caller, team: dict) -> None:
    asset = make_asset(
        api, api.admin_headers, owning_team_id=team["id"], visibility="restricted",
        status="published",
    )  # fmt: skip
    created = upload(api, owner.headers, asset["id"], "secret.txt", b"okapi plan").json()
    index_now(api)
    outsider = api.make_user("reviewer", [api.make_team()["id"]])
    assert (
        api.client.get(f"/v1/attachments/{created['id']}", headers=outsider.headers).status_code
        == 404
    )
    listed = api.client.get(f"/v1/assets/{asset['id']}/attachments", headers=outsider.headers)
    assert listed.status_code == 404
    again = upload(api, outsider.headers, asset["id"], "x.txt", b"x")
    assert again.status_code == 404
    assert (
        api.client.delete(
            f"/v1/attachments/{created['id']}", headers=if_match(outsider, 1)
        ).status_code
        == 404
    )
    assert search_ids(api, outsider.headers, "okapi") == set()
    assert search_ids(api, owner.headers, "okapi") == {asset["id"]}


def test_only_the_owning_team_reviewers_and_admins_attach(api: Api, owner: Caller) -> None:
    asset = make_asset(api, api.admin_headers, owning_team_id=owner.team_ids[0],
                       visibility="public", status="published")  # fmt: skip
    other_team = api.make_team()["id"]
    reader = api.make_user("reader", [owner.team_ids[0]])
    stranger = api.make_user("contributor", [other_team])
    reviewer = api.make_user("reviewer", [other_team])
    assert upload(api, reader.headers, asset["id"], "a.txt", b"a").status_code == 403
    assert upload(api, stranger.headers, asset["id"], "a.txt", b"a").status_code == 403
    created = upload(api, reviewer.headers, asset["id"], "a.txt", b"a")
    assert created.status_code == 201
    # Readers outside the team still download what they may see.
    seen = api.client.get(f"/v1/attachments/{created.json()['id']}", headers=stranger.headers)
    assert seen.status_code == 200
    refused = api.client.delete(
        f"/v1/attachments/{created.json()['id']}", headers=if_match(stranger, 1)
    )
    assert refused.status_code == 403
    assert upload(api, api.admin_headers, asset["id"], "a.txt", b"a").status_code == 201


def test_archived_assets_take_no_attachments(api: Api, owner: Caller) -> None:
    asset = make_asset(api, api.admin_headers, owning_team_id=owner.team_ids[0],
                       status="published")  # fmt: skip
    archived = api.client.post(
        f"/v1/assets/{asset['id']}/transitions",
        json={"to": "archived"},
        headers=if_match(api.admin_headers, 1),
    )
    assert archived.status_code == 200, archived.text
    response = upload(api, owner.headers, asset["id"], "a.txt", b"a")
    assert response.status_code == 409


def test_a_retried_upload_with_the_same_key_creates_once(api: Api, owner: Caller) -> None:
    asset = make_asset(api, owner)
    key = {"Idempotency-Key": "upload-1"}
    first = upload(api, owner.headers, asset["id"], "a.txt", b"once", extra_headers=key)
    again = upload(api, owner.headers, asset["id"], "a.txt", b"once", extra_headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    other = upload(api, owner.headers, asset["id"], "a.txt", b"another", extra_headers=key)
    assert other.status_code == 409
    listed = api.client.get(f"/v1/assets/{asset['id']}/attachments", headers=owner.headers)
    assert listed.json()["total"] == 1


def test_bad_requests_are_4xx_naming_the_problem(api: Api, owner: Caller) -> None:
    asset = make_asset(api, owner)
    url = f"/v1/assets/{asset['id']}/attachments"
    no_field = api.client.post(url, files={"other": ("a.txt", b"a")}, headers=owner.headers)
    assert no_field.status_code == 422
    assert no_field.json()["error"]["details"][0]["field"] == "body.file"
    as_json = api.client.post(url, json={"file": "a"}, headers=owner.headers)
    assert as_json.status_code == 415
    truncated = api.client.post(
        url,
        content=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
        headers={**owner.headers, "Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert truncated.status_code == 400
    missing = upload(api, owner.headers, 999999, "a.txt", b"a")
    assert missing.status_code == 404
    assert api.client.get("/v1/attachments/999999", headers=owner.headers).status_code == 404
    assert api.client.get("/v1/attachments/0", headers=owner.headers).status_code == 422


def test_the_list_pages_oldest_first(api: Api, owner: Caller) -> None:
    asset = make_asset(api, owner)
    for n in range(3):
        upload(api, owner.headers, asset["id"], f"{n}.txt", f"file {n}".encode())
    page = api.client.get(
        f"/v1/assets/{asset['id']}/attachments", params={"limit": 2, "offset": 1},
        headers=owner.headers,
    ).json()  # fmt: skip
    assert page["total"] == 3
    assert [a["filename"] for a in page["items"]] == ["1.txt", "2.txt"]


def test_deleting_an_attachment_needs_the_asset_version(api: Api, owner: Caller) -> None:
    """Another team's reviewer may delete an attachment of a public draft, but only with
    If-Match naming the asset's current version: 428 without it, 412 when stale."""
    asset = make_asset(api, owner, visibility="public")
    created = upload(api, owner.headers, asset["id"], "a.txt", b"kept unless asked").json()
    reviewer = api.make_user("reviewer", [api.make_team()["id"]])
    path = f"/v1/attachments/{created['id']}"
    missing = api.client.delete(path, headers=reviewer.headers)
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "precondition_required"
    changed = api.client.patch(
        f"/v1/assets/{asset['id']}", json={"summary": "Edited"}, headers=if_match(owner, 1)
    )
    assert changed.status_code == 200, changed.text
    stale = api.client.delete(path, headers=if_match(reviewer, 1))
    assert stale.status_code == 412
    assert "version 2" in stale.json()["error"]["message"]
    assert api.client.get(path, headers=owner.headers).status_code == 200
    assert api.client.delete(path, headers=if_match(reviewer, 2)).status_code == 204
    assert api.client.get(path, headers=owner.headers).status_code == 404
