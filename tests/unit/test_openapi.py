"""The OpenAPI document says what FastAPI alone would leave out."""

import re
from pathlib import Path

from hindsight.service.app import create_app
from hindsight.service.settings import Settings


def test_every_patch_and_delete_documents_a_required_if_match(tmp_path: Path):
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'h.db'}")  # type: ignore[call-arg]
    document = create_app(settings).openapi()
    seen = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            params = {p["name"].lower(): p for p in operation.get("parameters", [])}
            if method in ("patch", "delete"):
                # Tokens and subscriptions have no version (API.md): deleting one is final.
                unversioned = "token" in path or "subscription" in path
                assert "if-match" in params or unversioned, f"{method} {path}"
            if "if-match" in params:
                param = params["if-match"]
                assert param["required"] is True
                assert re.fullmatch(param["schema"]["pattern"], '"12"')
                assert not re.fullmatch(param["schema"]["pattern"], "twelve")
                seen.append((method, path))
    assert ("patch", "/v1/lessons/{lesson_id}") in seen
    assert ("delete", "/v1/assets/{asset_id}") in seen
