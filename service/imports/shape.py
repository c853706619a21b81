"""Which kind of JSON-lines file `hindsight import` was given, judged from its first item."""

import json
from pathlib import Path
from typing import Literal

Shape = Literal["nasa", "assets", "lessons"]


class UnknownShape(ValueError):
    """The file is neither NASA LLIS records nor a Hindsight export."""


def detect(path: Path) -> Shape:
    """NASA LLIS records carry `lesson_id` and `driving_event`; Hindsight's export lines carry
    `external_id`, and lessons also `asset_external_id`."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                first = json.loads(line)
            except ValueError as exc:
                raise UnknownShape(f"line {number} is not JSON: {exc}") from exc
            if not isinstance(first, dict):
                break
            if "lesson_id" in first and "driving_event" in first:
                return "nasa"
            if "external_id" in first:
                return "lessons" if "asset_external_id" in first else "assets"
            break
    raise UnknownShape(
        "expected NASA LLIS records (lesson_id, driving_event, ...) or Hindsight's own export "
        "(GET /v1/export or `hindsight export`: one asset or lesson per line with external_id)"
    )
