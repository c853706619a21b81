"""`GET /v1/audit`: the audit log, for admins."""

from typing import Annotated

from fastapi import APIRouter, Query

from hindsight.schemas.audit import AuditEventRead
from hindsight.schemas.common import AwareTimestamp, Page
from hindsight.service.audit import service as audit_service
from hindsight.service.deps import Admin, DbSession, IdQuery, Paging

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=Page[AuditEventRead])
def list_audit_events(
    db: DbSession,
    who: Admin,
    page: Paging,
    actor_user_id: IdQuery = None,
    action: Annotated[str | None, Query(max_length=60, description="e.g. update_user")] = None,
    resource_type: Annotated[str | None, Query(max_length=40, description="e.g. users")] = None,
    resource_id: IdQuery = None,
    from_: Annotated[AwareTimestamp | None, Query(alias="from", description="at or after")] = None,
    to: Annotated[AwareTimestamp | None, Query(description="before")] = None,
) -> Page[AuditEventRead]:
    """Who did what, when, to which resource and from which address (admin), newest first.
    Every acknowledged create, update, delete and transition is here, with role and team
    changes, tokens made and revoked, uploads, downloads, exports, imports and failed
    authentications. The log is append-only."""
    filters = audit_service.AuditFilters(
        actor_user_id=actor_user_id,
        action=action,
        resource_type=resource_type,
        # Stored as text (the resource's own id); every resource of the API has an integer id.
        resource_id=str(resource_id) if resource_id is not None else None,
        from_=from_,
        to=to,
    )
    items, total = audit_service.list_events(db, filters, limit=page.limit, offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
