"""The blocking client. Every method sends one `Call` built by `clients.operations` and
returns the `schemas/` model of the answer; errors are those of `clients.errors`."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from hindsight.clients._core import Body, Call, decode_error
from hindsight.clients.errors import TransportError
from hindsight.clients.operations import Operations
from hindsight.clients.paging import PAGE_SIZE, next_offset
from hindsight.schemas.actions import ActionRead
from hindsight.schemas.applications import ApplicationRead
from hindsight.schemas.assets import AssetRead
from hindsight.schemas.attachments import AttachmentRead
from hindsight.schemas.audit import AuditEventRead
from hindsight.schemas.bulk import ImportReport
from hindsight.schemas.common import Page
from hindsight.schemas.due_diligence import DecisionsRecorded, DueDiligenceRead
from hindsight.schemas.health import Health
from hindsight.schemas.lessons import LessonRead
from hindsight.schemas.maturity import (
    AssessmentRead,
    AssessmentSummary,
    FigureInfo,
    FrameworkRead,
    FrameworkSummary,
    TeamProgress,
)
from hindsight.schemas.metrics import LearningMetrics
from hindsight.schemas.projects import ProjectRead
from hindsight.schemas.search import RelatedLessons, SearchPage, Suggestions
from hindsight.schemas.subscriptions import NotificationRead, SubscriptionPreview, SubscriptionRead
from hindsight.schemas.teams import TeamRead
from hindsight.schemas.tokens import TokenCreated, TokenRead
from hindsight.schemas.users import Me, UserRead
from hindsight.schemas.versions import VersionRead
from hindsight.schemas.webhooks import DeliveryRead, WebhookCreated, WebhookRead

T = TypeVar("T")


# The server answers an import after its last line: a whole export (thousands of assets) takes
# minutes, not the 30 seconds a single call is given.
IMPORT_TIMEOUT = httpx.Timeout(30.0, read=3600.0)


class HindsightClient:
    """`HindsightClient("http://127.0.0.1:8000", token)`, or pass `http=` an existing
    `httpx.Client` (FastAPI's `TestClient` works) whose base URL points at Hindsight.

    Reads and creates are retried `retries` times after a transport error (creates carry an
    `Idempotency-Key`, so a retry can never create twice); updates are not retried."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        token: str | None = None,
        *,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
        retries: int = 2,
    ) -> None:
        self.ops = Operations(token)
        self._http = http or httpx.Client(base_url=base_url, timeout=timeout)
        self._owns_http = http is None
        self._retries = retries

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def _send(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                response = self._http.request(call.method, call.path, **call.request_args())
            except httpx.TransportError as exc:
                if not call.retry_safe or attempt >= self._retries:
                    raise TransportError(f"{call.method} {call.path}: {exc}") from exc
                attempt += 1
                time.sleep(0.2 * 2**attempt)
                continue
            return call.decode(response)

    def paginate(self, list_page: Callable[..., Page[T]], /, **filters: Any) -> Iterator[T]:
        """Every item of a list operation, page by page: `paginate(client.list_lessons,
        status="learned")`."""
        offset: int | None = 0
        while offset is not None:
            page = list_page(**filters, limit=PAGE_SIZE, offset=offset)
            yield from page.items
            offset = next_offset(page)

    def health(self) -> Health:
        return self._send(self.ops.health())

    def create_team(self, body: Body) -> TeamRead:
        return self._send(self.ops.create_team(body))

    def list_teams(self, **page: Any) -> Page[TeamRead]:
        return self._send(self.ops.list_teams(**page))

    def get_team(self, team_id: int) -> TeamRead:
        return self._send(self.ops.get_team(team_id))

    def update_team(self, team_id: int, body: Body, version: int) -> TeamRead:
        return self._send(self.ops.update_team(team_id, body, version))

    def create_user(self, body: Body) -> UserRead:
        return self._send(self.ops.create_user(body))

    def list_users(self, **page: Any) -> Page[UserRead]:
        return self._send(self.ops.list_users(**page))

    def me(self) -> Me:
        return self._send(self.ops.me())

    def get_user(self, user_id: int) -> UserRead:
        return self._send(self.ops.get_user(user_id))

    def update_user(self, user_id: int, body: Body, version: int) -> UserRead:
        return self._send(self.ops.update_user(user_id, body, version))

    def create_token(self, body: Body) -> TokenCreated:
        return self._send(self.ops.create_token(body))

    def list_tokens(self, **filters: Any) -> Page[TokenRead]:
        return self._send(self.ops.list_tokens(**filters))

    def revoke_token(self, token_id: int) -> None:
        return self._send(self.ops.revoke_token(token_id))

    def create_project(self, body: Body) -> ProjectRead:
        return self._send(self.ops.create_project(body))

    def list_projects(self, **filters: Any) -> Page[ProjectRead]:
        return self._send(self.ops.list_projects(**filters))

    def get_project(self, project_id: int) -> ProjectRead:
        return self._send(self.ops.get_project(project_id))

    def update_project(self, project_id: int, body: Body, version: int) -> ProjectRead:
        return self._send(self.ops.update_project(project_id, body, version))

    def project_versions(self, project_id: int, **page: Any) -> Page[VersionRead]:
        return self._send(self.ops.project_versions(project_id, **page))

    def create_asset(self, body: Body) -> AssetRead:
        return self._send(self.ops.create_asset(body))

    def list_assets(self, **filters: Any) -> Page[AssetRead]:
        return self._send(self.ops.list_assets(**filters))

    def get_asset(self, asset_id: int) -> AssetRead:
        return self._send(self.ops.get_asset(asset_id))

    def update_asset(self, asset_id: int, body: Body, version: int) -> AssetRead:
        return self._send(self.ops.update_asset(asset_id, body, version))

    def delete_asset(self, asset_id: int, version: int) -> None:
        return self._send(self.ops.delete_asset(asset_id, version))

    def transition_asset(
        self, asset_id: int, to: str, version: int, comment: str | None = None
    ) -> AssetRead:
        return self._send(self.ops.transition_asset(asset_id, to, version, comment=comment))

    def asset_versions(self, asset_id: int, **page: Any) -> Page[VersionRead]:
        return self._send(self.ops.asset_versions(asset_id, **page))

    def create_lesson(self, body: Body) -> LessonRead:
        return self._send(self.ops.create_lesson(body))

    def list_lessons(self, **filters: Any) -> Page[LessonRead]:
        return self._send(self.ops.list_lessons(**filters))

    def get_lesson(self, lesson_id: int) -> LessonRead:
        return self._send(self.ops.get_lesson(lesson_id))

    def update_lesson(self, lesson_id: int, body: Body, version: int) -> LessonRead:
        return self._send(self.ops.update_lesson(lesson_id, body, version))

    def lesson_versions(self, lesson_id: int, **page: Any) -> Page[VersionRead]:
        return self._send(self.ops.lesson_versions(lesson_id, **page))

    def related_lessons(self, lesson_id: int, limit: int | None = None) -> RelatedLessons:
        return self._send(self.ops.related_lessons(lesson_id, limit=limit))

    def search(self, q: str = "", **filters: Any) -> SearchPage:
        return self._send(self.ops.search(q=q, **filters))

    def suggest(self, q: str) -> Suggestions:
        return self._send(self.ops.suggest(q))

    def list_frameworks(self, **filters: Any) -> Page[FrameworkSummary]:
        return self._send(self.ops.list_frameworks(**filters))

    def get_framework(self, framework_id: int) -> FrameworkRead:
        return self._send(self.ops.get_framework(framework_id))

    def create_framework(self, body: Body) -> FrameworkRead:
        return self._send(self.ops.create_framework(body))

    def evidence_figures(self) -> list[FigureInfo]:
        return self._send(self.ops.evidence_figures())

    def create_assessment(self, body: Body) -> AssessmentRead:
        return self._send(self.ops.create_assessment(body))

    def list_assessments(self, **filters: Any) -> Page[AssessmentSummary]:
        return self._send(self.ops.list_assessments(**filters))

    def get_assessment(self, assessment_id: int) -> AssessmentRead:
        return self._send(self.ops.get_assessment(assessment_id))

    def update_assessment(self, assessment_id: int, body: Body, version: int) -> AssessmentRead:
        return self._send(self.ops.update_assessment(assessment_id, body, version))

    def assessment_csv(self, assessment_id: int) -> str:
        return self._send(self.ops.assessment_csv(assessment_id))

    def assessment_chart(self, assessment_id: int) -> str:
        return self._send(self.ops.assessment_chart(assessment_id))

    def team_progress(self, team_id: int) -> TeamProgress:
        return self._send(self.ops.team_progress(team_id))

    def team_assessments_csv(self, team_id: int) -> str:
        return self._send(self.ops.team_assessments_csv(team_id))

    # -- attachments and bulk --------------------------------------------------------------
    def upload_attachment(
        self, asset_id: int, filename: str, content: bytes, content_type: str = ""
    ) -> AttachmentRead:
        return self._send(self.ops.upload_attachment(asset_id, filename, content, content_type))

    def list_attachments(self, asset_id: int, **page: Any) -> Page[AttachmentRead]:
        return self._send(self.ops.list_attachments(asset_id, **page))

    def download_attachment(self, attachment_id: int) -> bytes:
        return self._send(self.ops.download_attachment(attachment_id))

    def delete_attachment(self, attachment_id: int, asset_version: int) -> None:
        return self._send(self.ops.delete_attachment(attachment_id, asset_version))

    def export(self, type: str, format: str = "jsonl") -> bytes:
        return self._send(self.ops.export(type, format))

    def iter_export(self, type: str, format: str = "jsonl") -> Iterator[str]:
        """The export line by line as it streams, in constant memory."""
        call = self.ops.export(type, format)
        try:
            with self._http.stream(call.method, call.path, **call.request_args()) as response:
                if not response.is_success:
                    response.read()
                    decode_error(response)
                yield from response.iter_lines()
        except httpx.TransportError as exc:
            raise TransportError(f"{call.method} {call.path}: {exc}") from exc

    def import_lines(
        self,
        type: str,
        lines: bytes,
        owning_team_id: int | None = None,
        *,
        project_id: int | None = None,
        keep_ids: bool = True,
    ) -> ImportReport:
        return self._send(
            self.ops.import_lines(
                type, lines, owning_team_id, project_id=project_id, keep_ids=keep_ids
            )
        )

    def import_file(
        self,
        type: str,
        path: Path,
        owning_team_id: int | None = None,
        *,
        project_id: int | None = None,
        keep_ids: bool = True,
    ) -> ImportReport:
        """Stream a JSON-lines file to `POST /v1/import` without reading it into memory."""
        call = self.ops.import_lines(
            type, b"", owning_team_id, project_id=project_id, keep_ids=keep_ids
        )
        try:
            with path.open("rb") as body:
                response = self._http.request(
                    call.method,
                    call.path,
                    params=call.params,
                    headers=call.headers,
                    content=body,
                    timeout=IMPORT_TIMEOUT,
                )
        except httpx.TransportError as exc:
            raise TransportError(f"{call.method} {call.path}: {exc}") from exc
        return call.decode(response)

    # -- the learning loop and its metrics ---------------------------------------------
    def transition_lesson(self, lesson_id: int, body: Body, version: int) -> LessonRead:
        return self._send(self.ops.transition_lesson(lesson_id, body, version))

    def create_action(self, body: Body) -> ActionRead:
        return self._send(self.ops.create_action(body))

    def list_actions(self, **filters: Any) -> Page[ActionRead]:
        return self._send(self.ops.list_actions(**filters))

    def get_action(self, action_id: int) -> ActionRead:
        return self._send(self.ops.get_action(action_id))

    def update_action(self, action_id: int, body: Body, version: int) -> ActionRead:
        return self._send(self.ops.update_action(action_id, body, version))

    def create_application(self, body: Body) -> ApplicationRead:
        return self._send(self.ops.create_application(body))

    def list_applications(self, **filters: Any) -> Page[ApplicationRead]:
        return self._send(self.ops.list_applications(**filters))

    def get_application(self, application_id: int) -> ApplicationRead:
        return self._send(self.ops.get_application(application_id))

    def update_application(self, application_id: int, body: Body, version: int) -> ApplicationRead:
        return self._send(self.ops.update_application(application_id, body, version))

    def run_due_diligence(self, body: Body) -> DueDiligenceRead:
        return self._send(self.ops.run_due_diligence(body))

    def list_due_diligence(self, **filters: Any) -> Page[DueDiligenceRead]:
        return self._send(self.ops.list_due_diligence(**filters))

    def get_due_diligence(self, check_id: int) -> DueDiligenceRead:
        return self._send(self.ops.get_due_diligence(check_id))

    def record_decisions(self, check_id: int, decisions: list[Any]) -> DecisionsRecorded:
        return self._send(self.ops.record_decisions(check_id, decisions))

    def learning_metrics(
        self, team_id: int | None = None, from_date: str | None = None, to_date: str | None = None
    ) -> LearningMetrics:
        return self._send(
            self.ops.learning_metrics(team_id=team_id, from_date=from_date, to_date=to_date)
        )

    # -- passwords, audit, webhooks, subscriptions, notifications ---------------------------
    def change_password(self, body: Body) -> None:
        return self._send(self.ops.change_password(body))

    def list_audit_events(self, **filters: Any) -> Page[AuditEventRead]:
        return self._send(self.ops.list_audit_events(**filters))

    def create_webhook(self, body: Body) -> WebhookCreated:
        return self._send(self.ops.create_webhook(body))

    def list_webhooks(self, **page: Any) -> Page[WebhookRead]:
        return self._send(self.ops.list_webhooks(**page))

    def get_webhook(self, webhook_id: int) -> WebhookRead:
        return self._send(self.ops.get_webhook(webhook_id))

    def update_webhook(self, webhook_id: int, body: Body, version: int) -> WebhookRead:
        return self._send(self.ops.update_webhook(webhook_id, body, version))

    def delete_webhook(self, webhook_id: int, version: int) -> None:
        return self._send(self.ops.delete_webhook(webhook_id, version))

    def test_webhook(self, webhook_id: int) -> DeliveryRead:
        return self._send(self.ops.test_webhook(webhook_id))

    def list_deliveries(self, webhook_id: int, **page: Any) -> Page[DeliveryRead]:
        return self._send(self.ops.list_deliveries(webhook_id, **page))

    def redeliver(self, webhook_id: int, delivery_id: int) -> DeliveryRead:
        return self._send(self.ops.redeliver(webhook_id, delivery_id))

    def create_subscription(self, body: Body) -> SubscriptionRead:
        return self._send(self.ops.create_subscription(body))

    def list_subscriptions(self, **page: Any) -> Page[SubscriptionRead]:
        return self._send(self.ops.list_subscriptions(**page))

    def get_subscription(self, subscription_id: int) -> SubscriptionRead:
        return self._send(self.ops.get_subscription(subscription_id))

    def preview_subscription(self, subscription_id: int) -> SubscriptionPreview:
        return self._send(self.ops.preview_subscription(subscription_id))

    def delete_subscription(self, subscription_id: int) -> None:
        return self._send(self.ops.delete_subscription(subscription_id))

    def list_notifications(self, **page: Any) -> Page[NotificationRead]:
        return self._send(self.ops.list_notifications(**page))

    def mark_notification_read(self, notification_id: int) -> NotificationRead:
        return self._send(self.ops.mark_notification_read(notification_id))
