"""NASA LLIS records (`../shared/data/nasa_llis.jsonl`) as Hindsight assets and lessons.

Each LLIS record becomes one published `after_action_review` asset holding one lesson: an
LLIS record is a review of one driving event (a mishap, a test, an operation) with the
lesson drawn from it, and four in five records name no project or programme, so there is
nothing to group them by. Where each field goes:

    lesson_id          external_id "nasa-llis:<id>" of the asset and of the lesson
    url                the first line of the asset body, as a link
    title              the asset's and the lesson's title
    abstract           the asset summary
    driving_event      the lesson's observation (what happened)
    lessons_learned    the lesson itself (when empty: the abstract, the recommendation or
                       the title, the first there is)
    recommendations    the lesson's recommendation
    evidence           asset body, "Evidence of recurrence control" (placeholders dropped)
    organization       tag "centre:<code>", and the asset body
    project_program    tag "programme:<name>" (when it fits a tag), and the asset body
    program_phase      tag "phase:<phase>", applicability.phases (NASA life-cycle phases
                       mapped below), and the asset body
    mission_directorates  tags "directorate:<name>", and the asset body
    topics             the asset's topics and the lesson's applicability.topics
    lesson_date        the asset body ("Lesson occurred")
    publish_date       created_at of both (so the year facet, date filters and "newest"
                       use it) and the asset's published_at
    related_policies, references   asset body sections
    submitter          asset authors (role "submitter"), as the source's contacts, not users
    point_of_contact   details.useful_contacts (role "point of contact")
    sensitivity        only "Public" records are imported, as visibility public

LLIS records no polarity or impact: lessons come in as `barrier` (most driving events are
mishaps) with `medium` impact, status `identified`, and organisation type
`central_government` (NASA is a federal agency). Every item passes the same schemas as
`POST /v1/assets` with embedded lessons; a text over a schema limit is shortened at a word
boundary with a pointer to the full LLIS page.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from typing import Any

from pydantic import ValidationError

from hindsight.schemas.assets import AssetCreate
from hindsight.schemas.enums import AssetKind, AssetStatus, Phase

SOURCE = "nasa-llis"
KIND = AssetKind.after_action_review
TEAM_NAME = "NASA LLIS (imported)"
TEAM_DESCRIPTION = (
    "Lessons imported from NASA's public Lessons Learned Information System "
    "(https://llis.nasa.gov) with `hindsight import`."
)
TEXT_LIMIT = 20_000  # the lessons schema's limit for observation, lesson, recommendation
LABEL_LIMIT = 100
_PLACEHOLDERS = frozenset({"", "n/a", "na", "none", "tbd", "tbd nasa response", "pending"})
_NOT_A_PROGRAMME = frozenset({"", "n/a", "na", "none", "various", "not applicable"})
_NO_PHASE = frozenset({"", "not specified", "not applicable"})
LLIS_URL = "https://llis.nasa.gov/lesson/"
_REL = "noopener noreferrer nofollow"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]>#|])")
_LIST_START = re.compile(r"^(\d*)([.)+-])(?=\s|$)")

# NASA's life cycle (NPR 7120.5) against Hindsight's phases. A named sub-phase wins over
# its parent: "Implementation » Phase D" is delivery, "Implementation" alone delivery and
# operations.
_SUB_PHASES: dict[str, tuple[Phase, ...]] = {
    "pre-phase a": (Phase.initiation,),
    "phase a": (Phase.initiation,),
    "phase b": (Phase.planning,),
    "phase c": (Phase.delivery,),
    "phase d": (Phase.delivery,),
    "phase e": (Phase.operations,),
    "phase f": (Phase.closure,),
}
_PHASES: dict[str, tuple[Phase, ...]] = {
    "formulation": (Phase.initiation, Phase.planning),
    "approval": (Phase.planning,),
    "implementation": (Phase.delivery, Phase.operations),
}


class Rejected(ValueError):
    """A line that cannot become a lesson; `str(exc)` says why."""


@dataclass(frozen=True)
class ImportItem:
    """One record ready to write: the validated asset (with its one embedded lesson) and the
    dates the payload itself cannot carry."""

    external_id: str
    asset: AssetCreate
    body_html: str
    created_at: datetime
    shortened: tuple[str, ...] = ()  # fields cut to a schema limit


def _text(value: Any) -> str:
    """Whitespace runs as one space (the corpus is clean already: check before rebuilding)."""
    if not isinstance(value, str):
        return ""
    if "  " in value or "\n" in value or "\t" in value or "\r" in value:
        return " ".join(value.split())
    return value.strip()


def _real(value: Any) -> str:
    """The text, or "" for the source's placeholders ("N/A", "TBD NASA Response", ...)."""
    text = _text(value)
    return "" if text.lower().rstrip(".") in _PLACEHOLDERS else text


def _html(text: str) -> str:
    return escape(text, quote=False)


def _escape(text: str) -> str:
    """Source text shown literally in markdown: "1. NPR ..." must not become a list."""
    # "<" has no backslash escape in markdown; as an entity it cannot open raw HTML.
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;")
    return _LIST_START.sub(r"\1\\\2", text)


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise Rejected(f"{field} {value!r} is not an ISO date (YYYY-MM-DD)") from exc


def _list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Rejected(f"{field} must be a list of strings")
    return [t for v in value if (t := _text(v))]


def _names(value: Any) -> list[str]:
    return list(dict.fromkeys(n for part in _text(value).split(";") if (n := part.strip())))


def _shorten(text: str, limit: int, url: str) -> str:
    """`text` within `limit` characters, cut at a word, ending with where to read the rest."""
    if len(text) <= limit:
        return text
    tail = f" … (shortened; the full text is at {url})"
    cut = text[: limit - len(tail)]
    return cut[: cut.rfind(" ")] + tail if " " in cut else cut + tail


def phases_of(program_phase: str) -> list[Phase]:
    """Hindsight phases for an LLIS phase such as "Implementation » Phase D"."""
    parts = [p.strip().lower() for p in program_phase.split("»")]
    for part in reversed(parts):
        if part in _SUB_PHASES:
            return list(_SUB_PHASES[part])
        if part in _PHASES:
            return list(_PHASES[part])
    return []


def _programme(record: dict[str, Any]) -> str:
    name = _text(record.get("project_program"))
    return "" if name.lower() in _NOT_A_PROGRAMME else name


def _tag(prefix: str, value: str) -> list[str]:
    label = f"{prefix}:{value}"
    return [label] if value and len(label) <= LABEL_LIMIT else []


def _facts(record: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in (
            ("Organisation (NASA centre)", _text(record.get("organization"))),
            ("Lesson occurred", _text(record.get("lesson_date"))),
            ("Published in LLIS", _text(record.get("publish_date"))),
            ("Project / programme", _programme(record)),
            ("Programme phase", _text(record.get("program_phase"))),
            ("Mission directorates", ", ".join(_list(record.get("mission_directorates"), ""))),
            ("Topics", ", ".join(_list(record.get("topics"), ""))),
        )
        if value
    ]


def _sections(record: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (heading, text)
        for heading, text in (
            ("Evidence of recurrence control", _real(record.get("evidence"))),
            ("Related NASA policies and standards", _real(record.get("related_policies"))),
            ("References", _real(record.get("references"))),
        )
        if text
    ]


def _body(record: dict[str, Any], url: str, lesson_id: str) -> tuple[str, str]:
    """The asset body as markdown and as the HTML `service.assets.rendering.render` makes of
    it, written directly: the markdown renderer takes a millisecond a record, as long as the
    rest of the import, for a layout that is always the same. Safe without the sanitiser:
    every source text is escaped and the one link is built from the lesson number (tests
    check the HTML equals the renderer's, hostile text included)."""
    link = f"LLIS lesson {lesson_id}"
    intro = "Imported from NASA's Lessons Learned Information System: "
    md = [f"{intro}[{link}]({url}).", ""]
    html = [f'<p>{_html(intro)}<a href="{_html(url)}" rel="{_REL}">{link}</a>.</p>']
    facts = _facts(record)
    md += [f"- **{name}:** {_escape(value)}" for name, value in facts]
    if facts:
        items = [f"<li><strong>{name}:</strong> {_html(value)}</li>" for name, value in facts]
        html += ["<ul>", *items, "</ul>"]
    for heading, text in _sections(record):
        md += ["", f"## {heading}", "", _escape(text)]
        html += [f"<h2>{heading}</h2>", f"<p>{_html(text)}</p>"]
    return "\n".join(md), "\n".join(html)


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def to_item(record: Any) -> ImportItem:
    """The asset and lesson for one LLIS record; raises Rejected saying what is wrong."""
    if not isinstance(record, dict):
        raise Rejected("expected a JSON object (one LLIS record)")
    lesson_id = _text(str(record.get("lesson_id") or ""))
    if not lesson_id.isdigit():
        raise Rejected(f"lesson_id {record.get('lesson_id')!r} is not an LLIS lesson number")
    sensitivity = _text(record.get("sensitivity")) or "Public"
    if sensitivity.lower() != "public":
        raise Rejected(f"sensitivity is {sensitivity!r}; only Public LLIS records are imported")
    title = _text(record.get("title"))
    if not title:
        raise Rejected("title is empty")
    # Built, not read: the link in every body points at the public LLIS page and nowhere else.
    url = f"{LLIS_URL}{lesson_id}"
    published = _date(record.get("publish_date"), "publish_date")
    occurred = _date(record.get("lesson_date"), "lesson_date")
    when = published or occurred
    created_at = datetime(when.year, when.month, when.day, tzinfo=UTC) if when else None
    abstract = _real(record.get("abstract"))
    recommendation = _real(record.get("recommendations"))
    # One record in the corpus has neither lesson, abstract nor recommendation; its title
    # states the lesson ("Indium gasket short between contacts caused electrical failure").
    lesson_text = _real(record.get("lessons_learned")) or abstract or recommendation or title
    shortened = []
    texts = {
        "observation": _text(record.get("driving_event")),
        "lesson": lesson_text,
        "recommendation": recommendation,
    }
    for name, text in texts.items():
        texts[name] = _shorten(text, TEXT_LIMIT, url)
        if texts[name] != text:
            shortened.append(name)
    phase = _text(record.get("program_phase"))
    topics = _list(record.get("topics"), "topics")
    directorates = _list(record.get("mission_directorates"), "mission_directorates")
    tags = [
        "nasa llis",
        *_tag("centre", _text(record.get("organization"))),
        *_tag("programme", _programme(record)),
        *([] if phase.lower() in _NO_PHASE else _tag("phase", phase)),
        *(t for d in directorates for t in _tag("directorate", d)),
    ]
    authors = [{"name": n, "role": "submitter"} for n in _names(record.get("submitter"))]
    authors += [{"name": n, "role": "contributor"} for n in _names(record.get("contributor"))]
    contacts = [
        {"name": n, "role": "point of contact"} for n in _names(record.get("point_of_contact"))
    ]
    body, body_html = _body(record, url, lesson_id)
    payload = {
        "kind": KIND,
        "title": title,
        "summary": abstract,
        "body": body,
        "tags": tags,
        "topics": topics,
        "authors": authors[:50],
        "visibility": "public",
        "status": AssetStatus.published,
        "details": {
            "objectives": f"Record what NASA learned from: {title}",
            "useful_contacts": contacts[:100],
        },
        "lessons": [
            {
                "title": title,
                **texts,
                "polarity": "barrier",
                "impact": "medium",
                "applicability": {
                    "phases": phases_of(phase),
                    "topics": topics,
                    "organisation_types": ["central_government"],
                },
                "tags": tags,
            }
        ],
    }
    try:
        asset = AssetCreate.model_validate(payload)
    except ValidationError as exc:
        raise Rejected(_problem(exc)) from exc
    return ImportItem(
        external_id=f"{SOURCE}:{lesson_id}",
        asset=asset,
        body_html=body_html,
        created_at=created_at or datetime.now(UTC),
        shortened=tuple(shortened),
    )


def parse_line(line: str) -> ImportItem:
    """One line of the JSON-lines file; raises Rejected for bad JSON or a bad record."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise Rejected(f"not valid JSON: {exc}") from exc
    return to_item(record)
