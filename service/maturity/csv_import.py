"""Read a framework from a spreadsheet saved as CSV: one row per sub-outcome.

Columns (header names, any order, case-insensitive; docs/maturity.md has an example):

  framework_key, framework_name           required; the same on every row (blank = same)
  framework_source, framework_description optional; the first non-blank value is used
  outcome_key, outcome_title              required; rows of one outcome share its key
  outcome_description                     optional; the first non-blank value is used
  sub_outcome_key, sub_outcome_title      required; one row each
  sub_outcome_description                 optional
  level_0, level_1, ...                   one column per level, holding the descriptor;
                                          "level_2: Established" also names the level
  indicative_measures                     optional; one per line in the cell, or split by |
  evidence_figures                        optional; live-figure keys split by , or |

Problems name the row (as a spreadsheet numbers it: the header is row 1) and the column.
"""

import csv
import io
import re
from typing import Any

from hindsight.service.maturity.frameworks import Problem

REQUIRED = (
    "framework_key",
    "framework_name",
    "outcome_key",
    "outcome_title",
    "sub_outcome_key",
    "sub_outcome_title",
)
OPTIONAL = (
    "framework_source",
    "framework_description",
    "outcome_description",
    "sub_outcome_description",
    "indicative_measures",
    "evidence_figures",
)
_LEVEL = re.compile(r"^level_(\d+)\s*(?::\s*(.*\S))?\s*$", re.IGNORECASE)


class CsvProblems(ValueError):
    def __init__(self, found: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in found))
        self.problems = found


def _split(cell: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(separators, cell) if part.strip()]


def _levels(header: list[str]) -> tuple[dict[int, str], list[Problem]]:
    """Level number -> column name, with the labels the header gives."""
    columns: dict[int, str] = {}
    found: list[Problem] = []
    for name in header:
        match = _LEVEL.match(name)
        if match:
            level = int(match.group(1))
            if level in columns:
                found.append(Problem(f"column {name!r}", f"level {level} has two columns"))
            columns[level] = name
    if len(columns) < 2:
        found.append(Problem("header", "add one column per level: level_0, level_1, ..."))
    return columns, found


def parse(text: str) -> dict[str, Any]:
    """The framework document in `text`, ready for FrameworkCreate. Raises CsvProblems."""
    text = text.lstrip("\ufeff")
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = [name.lower() if not _LEVEL.match(name) else name for name in header]
    lowered = set(reader.fieldnames)
    found = [
        Problem("header", f"missing column {name!r}") for name in REQUIRED if name not in lowered
    ]
    level_columns, level_problems = _levels(reader.fieldnames)
    found.extend(level_problems)
    if found:
        raise CsvProblems(found)

    doc: dict[str, Any] = {"outcomes": []}
    outcomes: dict[str, dict[str, Any]] = {}
    for number, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue  # spreadsheets end with blank rows
        found.extend(_framework_fields(doc, row, number))
        found.extend(_add_row(doc, outcomes, row, number, level_columns))
    if not doc["outcomes"] and not found:
        found.append(Problem("rows", "the file has a header but no sub-outcome rows"))
    if found:
        raise CsvProblems(found)
    doc["levels"] = [
        {"level": level, "label": _LEVEL.match(name).group(2) or f"Level {level}"}  # type: ignore[union-attr]
        for level, name in sorted(level_columns.items())
    ]
    return doc


def _framework_fields(doc: dict[str, Any], row: dict[str, str], number: int) -> list[Problem]:
    found: list[Problem] = []
    for column in ("framework_key", "framework_name"):
        field = column.removeprefix("framework_")
        value = row.get(column, "")
        if not value:
            continue
        if field not in doc:
            doc[field] = value
        elif doc[field] != value:
            found.append(
                Problem(f"row {number}, {column}", f"{value!r} differs from {doc[field]!r} above")
            )
    for column in ("framework_source", "framework_description"):
        field = column.removeprefix("framework_")
        if row.get(column) and not doc.get(field):
            doc[field] = row[column]
    return found


def _add_row(
    doc: dict[str, Any],
    outcomes: dict[str, dict[str, Any]],
    row: dict[str, str],
    number: int,
    level_columns: dict[int, str],
) -> list[Problem]:
    missing = [c for c in REQUIRED[2:] if not row.get(c)]
    if missing:
        return [Problem(f"row {number}, {c}", "this cell is empty") for c in missing]
    key = row["outcome_key"]
    outcome = outcomes.get(key)
    if outcome is None:
        outcome = {"key": key, "title": row["outcome_title"], "description": "", "sub_outcomes": []}
        outcomes[key] = outcome
        doc["outcomes"].append(outcome)
    elif outcome["title"] != row["outcome_title"]:
        return [
            Problem(
                f"row {number}, outcome_title",
                f"outcome {key!r} is titled {outcome['title']!r} on an earlier row",
            )
        ]
    if row.get("outcome_description") and not outcome["description"]:
        outcome["description"] = row["outcome_description"]
    outcome["sub_outcomes"].append(
        {
            "key": row["sub_outcome_key"],
            "title": row["sub_outcome_title"],
            "description": row.get("sub_outcome_description", ""),
            # Blank cells are left out, so validation reports "level n is not described".
            "level_descriptors": {
                str(level): row.get(column, "")
                for level, column in level_columns.items()
                if row.get(column, "")
            },
            "indicative_measures": _split(row.get("indicative_measures", ""), r"[\n|]"),
            "evidence_figures": _split(row.get("evidence_figures", ""), r"[\s,|]+"),
        }
    )
    return []
