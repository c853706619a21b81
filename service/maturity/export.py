"""Assessments as CSV: one row per sub-outcome score, for a spreadsheet or a report.

Cells that a spreadsheet would run as a formula (starting with =, +, -, @) get a leading
apostrophe: evidence and actions are free text typed by people.
"""

import csv
import io
from collections.abc import Sequence

from sqlmodel import Session

from hindsight.service.maturity import framework_service as framework_store
from hindsight.service.maturity import frameworks
from hindsight.service.maturity.models import Assessment
from hindsight.service.teams.models import Team

COLUMNS = (
    "assessment_id",
    "team_id",
    "team_name",
    "assessed_at",
    "framework_key",
    "framework_version",
    "outcome_key",
    "outcome_title",
    "sub_outcome_key",
    "sub_outcome_title",
    "current",
    "target",
    "priority",
    "evidence",
    "actions",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(db: Session, assessments: Sequence[Assessment]) -> str:
    """Rows in the order given, each assessment's scores in framework order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for assessment in assessments:
        framework = framework_store.get(db, assessment.framework_id)
        located = frameworks.index(framework_store.document(framework))
        team = db.get(Team, assessment.team_id)
        for score in assessment.scores:
            place = located[score["sub_outcome_key"]]
            writer.writerow(
                _cell(value)
                for value in (
                    assessment.id,
                    assessment.team_id,
                    team.name if team else "",
                    assessment.assessed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    framework.key,
                    framework.version,
                    place.outcome.key,
                    place.outcome.title,
                    place.sub.key,
                    place.sub.title,
                    score["current"],
                    score["target"],
                    "yes" if score["priority"] else "no",
                    score["evidence"],
                    " | ".join(score["actions"]),
                )
            )
    return buffer.getvalue()
