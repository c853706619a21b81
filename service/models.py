"""Every table, imported once so that `SQLModel.metadata` is complete (Alembic reads it)."""

from service.idempotency import IdempotencyRecord
from service.maturity.models import Assessment, Framework
from service.outbox.models import OutboxEntry
from service.teams.models import Team
from service.tokens.models import ApiToken
from service.users.models import User, UserTeam

__all__ = [
    "ApiToken",
    "Assessment",
    "Framework",
    "IdempotencyRecord",
    "OutboxEntry",
    "Team",
    "User",
    "UserTeam",
]
