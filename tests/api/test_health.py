import shutil

from fastapi.testclient import TestClient

from hindsight.service import migrations
from hindsight.service.app import create_app
from hindsight.service.settings import Settings
from tests.factories import ADMIN_TOKEN, bearer


def test_healthz_names_each_part(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "index": "ok",
        "outbox_pending": 0,  # the contract's answer: a count, no reason or path
    }
    admin = client.get("/healthz", headers=bearer(ADMIN_TOKEN))
    assert admin.json() == {"status": "ok", "database": "ok", "index": "ok", "outbox_pending": 0}


def test_healthz_is_503_naming_the_index_when_it_is_gone(
    client: TestClient, settings: Settings
) -> None:
    shutil.rmtree(settings.index_dir)
    settings.index_dir.write_text("not a folder")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "index": "unavailable",
        "outbox_pending": 0,
    }
    # The path and the reason go to admins only.
    admin = client.get("/healthz", headers=bearer(ADMIN_TOKEN)).json()
    assert admin["status"] == "unavailable" and admin["database"] == "ok"
    assert str(settings.index_dir) in admin["index"]
    wrong = client.get("/healthz", headers=bearer("not-a-token"))
    assert wrong.status_code == 503 and wrong.json()["index"] == "unavailable"


def test_healthz_is_503_naming_the_database_when_unreachable(settings: Settings) -> None:
    broken = settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    with TestClient(create_app(broken), raise_server_exceptions=False) as client:
        response = client.get("/healthz")
        admin = client.get("/healthz", headers=bearer(ADMIN_TOKEN))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    database = admin.json()["database"]
    assert database.startswith("error: not usable (") and "connect" in database
    assert database.endswith("check HINDSIGHT_DATABASE_URL and that the database server is running")


def test_healthz_names_a_schema_behind_the_code_and_the_remedy(settings: Settings) -> None:
    migrations.downgrade(settings.database_url, "0008")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.get("/healthz", headers=bearer(ADMIN_TOKEN))
    assert response.status_code == 503
    needs = ", ".join(migrations.code_heads())
    assert response.json() == {
        "status": "unavailable",
        "database": f"error: schema at 0008, code needs {needs}: run `hindsight migrate`",
        "index": response.json()["index"],
        "outbox_pending": None,
    }
    migrations.upgrade(settings.database_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.get("/healthz").json()["database"] == "ok"


def test_healthz_names_an_empty_database(settings: Settings) -> None:
    migrations.downgrade(settings.database_url, "base")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.get("/healthz", headers=bearer(ADMIN_TOKEN))
    assert response.status_code == 503
    assert response.json()["database"].startswith("error: schema is empty, code needs ")
    assert response.json()["database"].endswith(": run `hindsight migrate`")
