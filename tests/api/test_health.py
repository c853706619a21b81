import shutil

from fastapi.testclient import TestClient

from hindsight.service.app import create_app
from hindsight.service.settings import Settings


def test_healthz_names_each_part(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "index": "ok", "outbox_pending": 0}


def test_healthz_is_503_naming_the_index_when_it_is_gone(
    client: TestClient, settings: Settings
) -> None:
    shutil.rmtree(settings.index_dir)
    settings.index_dir.write_text("not a folder")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["database"] == "ok"
    assert "index" in body["index"]


def test_healthz_is_503_naming_the_database_when_unreachable(settings: Settings) -> None:
    broken = settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    with TestClient(create_app(broken), raise_server_exceptions=False) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
