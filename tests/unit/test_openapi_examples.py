"""The OpenAPI document shows a realistic example for every request body and main answer, each
one valid for its model; /docs and /redoc load nothing from outside the app."""

import importlib
import json
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

import hindsight.schemas
from hindsight.service.app import create_app
from hindsight.service.settings import Settings

REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("docs")
    settings = Settings(_env_file=None, database_url=f"sqlite:///{folder / 'h.db'}")  # type: ignore[call-arg]
    return create_app(settings)


def _has_example(media: dict[str, Any], components: dict[str, Any]) -> bool:
    if "example" in media or "examples" in media:
        return True
    schema = media.get("schema", {})
    if "$ref" in schema:
        schema = components[schema["$ref"].removeprefix(REF)]
    return bool(schema.get("examples"))


def _is_a_file_upload(media_type: str, media: dict[str, Any]) -> bool:
    # A multipart body is a file: there is no JSON to show, the field says `format: binary`.
    properties = media.get("schema", {}).get("properties", {})
    return media_type == "multipart/form-data" and all(
        p.get("format") == "binary" for p in properties.values()
    )


def test_every_request_body_and_2xx_json_answer_has_an_example(app):
    document = app.openapi()
    components = document["components"]["schemas"]
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                if not _is_a_file_upload(media_type, media) and not _has_example(media, components):
                    missing.append(f"{method} {path} body ({media_type})")
            for status, answer in operation.get("responses", {}).items():
                media = answer.get("content", {}).get("application/json")
                if status.startswith("2") and media and not _has_example(media, components):
                    missing.append(f"{method} {path} {status}")
    assert missing == []


def test_the_main_examples_tell_the_story_the_contract_names(app):
    components = app.openapi()["components"]["schemas"]
    retrospect = components["AssetCreate"]["examples"][0]
    assert retrospect["kind"] == "retrospect" and len(retrospect["lessons"]) == 2
    brief = components["DueDiligenceRead"]["examples"][0]
    assert brief["results"]["lessons"][0]["reason"]
    answer = components["SearchPage"]["examples"][0]
    assert answer["items"] and "<mark>" in answer["items"][0]["snippet"]
    page = components["Page_LessonRead_"]["examples"][0]
    assert page["items"] == components["LessonRead"]["examples"][0:1]


def _models_with_examples() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for module_info in pkgutil.iter_modules(hindsight.schemas.__path__):
        module = importlib.import_module(f"hindsight.schemas.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
                and "json_schema_extra" in value.model_config
            ):
                found[value.__qualname__] = value
    return list(found.values())


MODELS = _models_with_examples()


def test_the_examples_are_many():
    assert len(MODELS) >= 45


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_example_is_valid_for_its_model_and_names_only_its_fields(model):
    extra = model.model_config["json_schema_extra"]
    assert isinstance(extra, dict)
    for example in extra["examples"]:
        model.model_validate(json.loads(json.dumps(example)))
        names = {field.alias or name for name, field in model.model_fields.items()}
        assert set(example) <= names, set(example) - names


def test_docs_and_redoc_load_nothing_from_outside(app):
    with TestClient(app) as client:
        for page in ("/docs", "/redoc"):
            html = client.get(page)
            assert html.status_code == 200
            urls = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', html.text)
            assert urls, html.text
            assert [url for url in urls if not url.startswith("/")] == [], page
            assert "://" not in html.text.replace("window.location.origin", ""), page
            for url in urls:
                asset = client.get(url)
                assert asset.status_code == 200, url
                assert len(asset.content) > 1000, url


def test_the_docs_assets_ship_inside_an_installed_package():
    import fastapi_offline

    folder = Path(fastapi_offline.__file__).parent / "static"
    assert (folder / "swagger-ui-bundle.js").is_file()
    assert (folder / "redoc.standalone.js").is_file()
