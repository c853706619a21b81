"""The capture form as data: which fields each asset kind asks for, how the posted form
becomes the API's `AssetCreate` body, and where each validation error belongs on the page.

The fields of a kind's details are read from its schema (schemas/asset_details.py), so a
part added there appears on the form with no change here. Field ids follow the body's
path joined with "-" (`details-objectives`, `lessons-0-five_whys-1-answer`): an error's
location in the body names the field it belongs beside.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from hindsight.schemas.asset_details import AssetDetails
from hindsight.schemas.assets import AssetRead
from hindsight.schemas.common import Contact
from hindsight.schemas.enums import AssetKind
from hindsight.schemas.lessons import MAX_WHYS, LessonRead

MAX_LESSONS_ON_FORM = 20
CONTACT_HINT = "One person a line: name, role, email (the email may be left out)."
LINES_HINT = "One a line."


class Shape(StrEnum):
    """How a part of the details is typed in."""

    text = "text"  # a paragraph
    short = "short"  # a line
    lines = "lines"  # a list of texts, one a line
    contacts = "contacts"  # people, one a line
    ids = "ids"  # a list of ids, separated by commas
    number = "number"


@dataclass(frozen=True)
class DetailField:
    name: str
    label: str
    shape: Shape
    required: bool
    hint: str | None = None

    @property
    def id(self) -> str:
        return f"details-{self.name}"


def _models_by_kind() -> dict[str, type[BaseModel]]:
    union = get_args(AssetDetails)[0]
    models: dict[str, type[BaseModel]] = {}
    for model in get_args(union):
        for kind in get_args(model.model_fields["kind"].annotation):
            models[kind] = model
    return models


_MODELS = _models_by_kind()


def _shape(info: FieldInfo) -> Shape:
    annotation = info.annotation
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if item is Contact:
            return Shape.contacts
        return Shape.ids if item is int else Shape.lines
    if annotation in (int, float):
        return Shape.number
    limits = [getattr(m, "max_length", None) for m in info.metadata]
    return Shape.short if any(limit and limit <= 300 for limit in limits) else Shape.text


_HINTS = {Shape.lines: LINES_HINT, Shape.contacts: CONTACT_HINT}


def detail_fields(kind: str) -> list[DetailField]:
    """The parts of `kind`'s details, in the schema's order."""
    model = _MODELS[kind]
    found = []
    for name, info in model.model_fields.items():
        if name == "kind":
            continue
        shape = _shape(info)
        hint = info.description if shape is Shape.text and info.description else None
        if shape is Shape.ids:
            hint = "Lesson numbers, separated by commas (each lesson's page shows its number)."
        found.append(
            DetailField(
                name=name,
                label=name.replace("_", " ").capitalize(),
                shape=shape,
                required=info.is_required(),
                hint=hint or _HINTS.get(shape),
            )
        )
    return found


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _labels(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _contact(line: str) -> dict[str, Any]:
    parts = [p.strip() for p in line.split(",")]
    person: dict[str, Any] = {"name": parts[0], "role": parts[1] if len(parts) > 1 else ""}
    if len(parts) > 2 and parts[2]:
        person["email"] = parts[2]
    return person


def _detail_value(shape: Shape, raw: str) -> Any:
    if shape is Shape.lines:
        return _lines(raw)
    if shape is Shape.contacts:
        return [_contact(line) for line in _lines(raw)]
    if shape is Shape.ids:
        # A part that is no number stays as typed: the schema's message then names it.
        return [int(p) if p.isdigit() else p for p in _labels(raw)]
    return raw.strip()


def _count(form: Any, name: str, *, low: int, high: int) -> int:
    raw = form.get(name, "")
    return max(low, min(high, int(raw))) if raw.isdigit() else low


@dataclass
class LessonDraft:
    """One lesson as the form holds it: every value a string, as typed."""

    values: dict[str, str]
    whys: list[tuple[str, str]]
    phases: list[str]
    organisation_types: list[str]
    # A lesson saved before (editing a draft): its id and the version the form was read at.
    lesson_id: str = ""
    version: str = ""


@dataclass
class CaptureDraft:
    """The whole form as typed, to show again (with errors) or to turn into a body."""

    kind: str
    values: dict[str, str]
    lessons: list[LessonDraft] = field(default_factory=list)


LESSON_TEXTS = (
    "title",
    "observation",
    "analysis",
    "root_cause-description",
    "root_cause-category",
    "lesson",
    "recommendation",
    "polarity",
    "impact",
    "applicability-topics",
    "tags",
)
ASSET_TEXTS = (
    "title",
    "summary",
    "body",
    "tags",
    "topics",
    "project_id",
    "owning_team_id",
    "visibility",
)


def empty_lesson() -> LessonDraft:
    return LessonDraft(
        values={"impact": "medium"}, whys=[("", "")], phases=[], organisation_types=[]
    )


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def read_lesson(form: Any, prefix: str) -> LessonDraft:
    """One lesson of the posted form (a Starlette FormData), its fields named `prefix`..."""
    whys_count = _count(form, f"{prefix}why_count", low=1, high=MAX_WHYS)
    return LessonDraft(
        values={name: _text(form, prefix + name) for name in LESSON_TEXTS},
        whys=[
            (
                _text(form, f"{prefix}five_whys-{n}-question"),
                _text(form, f"{prefix}five_whys-{n}-answer"),
            )
            for n in range(whys_count)
        ],
        phases=[v for v in form.getlist(f"{prefix}applicability-phases") if v],
        organisation_types=[
            v for v in form.getlist(f"{prefix}applicability-organisation_types") if v
        ],
        lesson_id=_text(form, f"{prefix}id"),
        version=_text(form, f"{prefix}version"),
    )


def read_draft(kind: str, form: Any) -> CaptureDraft:
    """The posted form as a draft of a `kind` report with its lessons."""
    values = {name: _text(form, name) for name in ASSET_TEXTS}
    for part in detail_fields(kind):
        values[part.id] = _text(form, part.id)
    count = _count(form, "lesson_count", low=0, high=MAX_LESSONS_ON_FORM)
    lessons = [read_lesson(form, f"lessons-{index}-") for index in range(count)]
    return CaptureDraft(kind=kind, values=values, lessons=lessons)


def lesson_body(lesson: LessonDraft) -> dict[str, Any]:
    v = lesson.values
    body: dict[str, Any] = {
        "title": v["title"],
        "observation": v["observation"],
        "analysis": v["analysis"],
        # A step left wholly empty is a row not used yet, not a step.
        "five_whys": [{"question": q, "answer": a} for q, a in lesson.whys if q or a],
        "lesson": v["lesson"],
        "recommendation": v["recommendation"],
        "impact": v["impact"] or "medium",
        "applicability": {
            "phases": lesson.phases,
            "topics": _labels(v["applicability-topics"]),
            "organisation_types": lesson.organisation_types,
        },
        "tags": _labels(v["tags"]),
    }
    if v["polarity"]:
        body["polarity"] = v["polarity"]
    if v["root_cause-description"] or v["root_cause-category"]:
        body["root_cause"] = {
            "description": v["root_cause-description"],
            "category": v["root_cause-category"],
        }
    return body


def to_body(draft: CaptureDraft) -> dict[str, Any]:
    """The `AssetCreate` body the draft stands for; the schema validates it."""
    v = draft.values
    body: dict[str, Any] = {
        "kind": draft.kind,
        "title": v["title"],
        "summary": v["summary"],
        "body": v["body"],
        "tags": _labels(v["tags"]),
        "topics": _labels(v["topics"]),
        "visibility": v["visibility"] or "internal",
        "details": {
            part.name: _detail_value(part.shape, v[part.id])
            for part in detail_fields(draft.kind)
            if v[part.id] or part.required
        },
        "lessons": [lesson_body(lesson) for lesson in draft.lessons],
    }
    for name in ("project_id", "owning_team_id"):
        if v[name]:
            body[name] = int(v[name]) if v[name].isdigit() else v[name]
    return body


def field_ids(draft: CaptureDraft) -> set[str]:
    """Every field id the form shows for `draft`: where an error may be placed."""
    ids = set(ASSET_TEXTS) | {part.id for part in detail_fields(draft.kind)}
    for index, lesson in enumerate(draft.lessons):
        prefix = f"lessons-{index}-"
        ids |= {prefix + name for name in LESSON_TEXTS}
        ids |= {prefix + "applicability-phases", prefix + "applicability-organisation_types"}
        ids.add(prefix + "root_cause")
        for n in range(len(lesson.whys)):
            ids |= {f"{prefix}five_whys-{n}-question", f"{prefix}five_whys-{n}-answer"}
    return ids


def _whys_positions(draft: CaptureDraft, lesson_index: int) -> list[int]:
    """The form rows of a lesson's sent steps: empty rows are skipped by `to_body`."""
    lesson = draft.lessons[lesson_index]
    return [n for n, (q, a) in enumerate(lesson.whys) if q or a]


def error_field(draft: CaptureDraft, location: tuple[Any, ...]) -> str:
    """The field id for an error at `location` in the body: the longest known prefix."""
    parts = [str(p) for p in location]
    if parts[:1] == ["body"]:
        parts = parts[1:]
    if parts[:1] == ["details"] and len(parts) > 1 and parts[1] in _MODELS:
        parts = [parts[0], *parts[2:]]  # the union's tag, not a field of the form
    if len(parts) >= 4 and parts[0] == "lessons" and parts[2] == "five_whys":
        lesson_index, step = int(parts[1]), int(parts[3])
        rows = _whys_positions(draft, lesson_index)
        if step < len(rows):
            parts[3] = str(rows[step])
    if len(parts) == 3 and parts[0] == "lessons" and parts[2] == "root_cause":
        parts = [*parts, "description"]  # the check that the whys end in a root cause
    known = field_ids(draft)
    for end in range(len(parts), 0, -1):
        candidate = "-".join(parts[:end])
        if candidate in known:
            return candidate
    return "title"


_MESSAGES = {
    "missing": "Enter {label}",
    "string_too_short": "Enter {label}",
    "enum": "Choose {label}",
    "literal_error": "Choose {label}",
}


def _label(field_id: str) -> str:
    last = field_id.split("-")[-1]
    if field_id.endswith("root_cause-description"):
        return "the root cause"
    if field_id.endswith("root_cause-category"):
        return "the root cause's category"
    return "the " + last.replace("_", " ")


def errors_from(draft: CaptureDraft, error: ValidationError) -> dict[str, str]:
    """One message a field, worded for a person, in the form's order."""
    found: dict[str, str] = {}
    for item in error.errors():
        where = error_field(draft, tuple(item["loc"]))
        found.setdefault(where, message_for(where, item))
    return found


_MISSING = {
    "polarity": "Choose whether it is something to repeat or something to avoid",
    "lesson": "Enter the lesson: what others should do, or not do",
    "title": "Enter a title",
}


def message_for(where: str, item: Mapping[str, Any]) -> str:
    """A pydantic error as a person reads it, for the field `where`."""
    last = where.split("-")[-1]
    if item["type"] in ("missing", "string_too_short") and last in _MISSING:
        return _MISSING[last]
    template = _MESSAGES.get(item["type"])
    message = template.format(label=_label(where)) if template else str(item["msg"])
    if item["type"] == "value_error" and "root_cause is required" in item["msg"]:
        message = "Enter the root cause the whys lead to"
    return message.removeprefix("Value error, ")


def lesson_prefix(location: str) -> str | None:
    """`lessons-2-title` -> "Lesson 3": where a message in the summary points."""
    parts = location.split("-")
    if parts[0] == "lessons" and len(parts) > 1 and parts[1].isdigit():
        return f"Lesson {int(parts[1]) + 1}"
    return None


KINDS = [kind.value for kind in AssetKind]


def _detail_text(shape: Shape, value: Any) -> str:
    if value is None:
        return ""
    if shape is Shape.lines:
        return "\n".join(value)
    if shape is Shape.contacts:
        return "\n".join(
            ", ".join(part for part in (c["name"], c["role"], c.get("email") or "") if part)
            for c in value
        )
    if shape is Shape.ids:
        return ", ".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def lesson_draft(lesson: LessonRead) -> LessonDraft:
    """A saved lesson as the form shows it."""
    cause = lesson.root_cause
    return LessonDraft(
        values={
            "title": lesson.title,
            "observation": lesson.observation,
            "analysis": lesson.analysis,
            "root_cause-description": cause.description if cause else "",
            "root_cause-category": cause.category.value if cause else "",
            "lesson": lesson.lesson,
            "recommendation": lesson.recommendation,
            "polarity": lesson.polarity.value,
            "impact": lesson.impact.value,
            "applicability-topics": ", ".join(lesson.applicability.topics),
            "tags": ", ".join(lesson.tags),
        },
        whys=[(w.question, w.answer) for w in lesson.five_whys] or [("", "")],
        phases=[p.value for p in lesson.applicability.phases],
        organisation_types=[o.value for o in lesson.applicability.organisation_types],
        lesson_id=str(lesson.id),
        version=str(lesson.version),
    )


def draft_of(asset: AssetRead, lessons: list[LessonRead]) -> CaptureDraft:
    """A saved report and its lessons as the form shows them, to edit."""
    values = {
        "title": asset.title,
        "summary": asset.summary,
        "body": asset.body,
        "tags": ", ".join(asset.tags),
        "topics": ", ".join(asset.topics),
        "project_id": str(asset.project_id or ""),
        "owning_team_id": str(asset.owning_team_id),
        "visibility": asset.visibility.value,
    }
    for part in detail_fields(asset.kind.value):
        values[part.id] = _detail_text(part.shape, asset.details.get(part.name))
    return CaptureDraft(
        kind=asset.kind.value, values=values, lessons=[lesson_draft(x) for x in lessons]
    )
