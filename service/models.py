"""Every table, imported once so that `SQLModel.metadata` is complete (Alembic reads it)."""

from service.actions.models import Action
from service.applications.models import Application
from service.assets.models import Asset, AssetLabel, AssetTeam
from service.attachments.models import Attachment
from service.due_diligence.models import DueDiligenceCheck
from service.history.models import VersionRecord
from service.idempotency import IdempotencyRecord
from service.lessons.models import Lesson, LessonLabel
from service.maturity.models import Assessment, Framework
from service.outbox.models import OutboxEntry
from service.projects.models import Project, ProjectTeam
from service.search.models import SearchLogEntry
from service.teams.models import Team
from service.tokens.models import ApiToken
from service.users.models import User, UserTeam

__all__ = [
    "Action",
    "ApiToken",
    "Application",
    "Assessment",
    "Asset",
    "AssetLabel",
    "AssetTeam",
    "Attachment",
    "DueDiligenceCheck",
    "Framework",
    "IdempotencyRecord",
    "Lesson",
    "LessonLabel",
    "OutboxEntry",
    "Project",
    "ProjectTeam",
    "SearchLogEntry",
    "Team",
    "User",
    "UserTeam",
    "VersionRecord",
]
