"""Every table, imported once so that `SQLModel.metadata` is complete (Alembic reads it)."""

from hindsight.service.actions.models import Action
from hindsight.service.applications.models import Application
from hindsight.service.assets.models import Asset, AssetLabel, AssetTeam
from hindsight.service.attachments.models import Attachment
from hindsight.service.audit.models import AuditEvent
from hindsight.service.due_diligence.models import DueDiligenceCheck
from hindsight.service.history.models import VersionRecord
from hindsight.service.idempotency import IdempotencyRecord
from hindsight.service.jobs.models import Job
from hindsight.service.lessons.models import Lesson, LessonLabel, LessonTeam
from hindsight.service.maturity.models import Assessment, Framework
from hindsight.service.notifications.models import Notification
from hindsight.service.outbox.models import OutboxEntry
from hindsight.service.projects.models import Project, ProjectTeam
from hindsight.service.search.models import SearchLogEntry
from hindsight.service.sessions.models import WebSession
from hindsight.service.subscriptions.models import Subscription, SubscriptionMatch
from hindsight.service.teams.models import Team
from hindsight.service.tokens.models import ApiToken
from hindsight.service.users.models import User, UserTeam
from hindsight.service.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "Action",
    "ApiToken",
    "Application",
    "Assessment",
    "Asset",
    "AssetLabel",
    "AssetTeam",
    "Attachment",
    "AuditEvent",
    "DueDiligenceCheck",
    "Framework",
    "IdempotencyRecord",
    "Job",
    "Lesson",
    "LessonLabel",
    "LessonTeam",
    "Notification",
    "OutboxEntry",
    "Project",
    "ProjectTeam",
    "SearchLogEntry",
    "Subscription",
    "SubscriptionMatch",
    "Team",
    "User",
    "UserTeam",
    "VersionRecord",
    "WebSession",
    "Webhook",
    "WebhookDelivery",
]
