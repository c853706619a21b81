"""The asyncio client: the same operations as `HindsightClient`, awaited."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
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


class AsyncHindsightClient:
    """`AsyncHindsightClient(base_url, token)`, or pass `http=` an `httpx.AsyncClient` (for
    tests, one over `httpx.ASGITransport(app=app)`). Retries as `HindsightClient` does."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        token: str | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        retries: int = 2,
    ) -> None:
        self.ops = Operations(token)
        self._http = http or httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._owns_http = http is None
        self._retries = retries

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _send(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                response = await self._http.request(call.method, call.path, **call.request_args())
            except httpx.TransportError as exc:
                if not call.retry_safe or attempt >= self._retries:
                    raise TransportError(f"{call.method} {call.path}: {exc}") from exc
                attempt += 1
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            return call.decode(response)

    async def paginate(
        self, list_page: Callable[..., Awaitable[Page[T]]], /, **filters: Any
    ) -> AsyncIterator[T]:
        """Every item of a list operation: `async for lesson in client.paginate(
        client.list_lessons, status="learned")`."""
        offset: int | None = 0
        while offset is not None:
            page = await list_page(**filters, limit=PAGE_SIZE, offset=offset)
            for item in page.items:
                yield item
            offset = next_offset(page)

    async def health(self) -> Health:
        return await self._send(self.ops.health())

    async def create_team(self, body: Body) -> TeamRead:
        return await self._send(self.ops.create_team(body))

    async def list_teams(self, **page: Any) -> Page[TeamRead]:
        return await self._send(self.ops.list_teams(**page))

    async def get_team(self, team_id: int) -> TeamRead:
        return await self._send(self.ops.get_team(team_id))

    async def update_team(self, team_id: int, body: Body, version: int) -> TeamRead:
        return await self._send(self.ops.update_team(team_id, body, version))

    async def create_user(self, body: Body) -> UserRead:
        return await self._send(self.ops.create_user(body))

    async def list_users(self, **page: Any) -> Page[UserRead]:
        return await self._send(self.ops.list_users(**page))

    async def me(self) -> Me:
        return await self._send(self.ops.me())

    async def get_user(self, user_id: int) -> UserRead:
        return await self._send(self.ops.get_user(user_id))

    async def update_user(self, user_id: int, body: Body, version: int) -> UserRead:
        return await self._send(self.ops.update_user(user_id, body, version))

    async def create_token(self, body: Body) -> TokenCreated:
        return await self._send(self.ops.create_token(body))

    async def list_tokens(self, **filters: Any) -> Page[TokenRead]:
        return await self._send(self.ops.list_tokens(**filters))

    async def revoke_token(self, token_id: int) -> None:
        return await self._send(self.ops.revoke_token(token_id))

    async def create_project(self, body: Body) -> ProjectRead:
        return await self._send(self.ops.create_project(body))

    async def list_projects(self, **filters: Any) -> Page[ProjectRead]:
        return await self._send(self.ops.list_projects(**filters))

    async def get_project(self, project_id: int) -> ProjectRead:
        return await self._send(self.ops.get_project(project_id))

    async def update_project(self, project_id: int, body: Body, version: int) -> ProjectRead:
        return await self._send(self.ops.update_project(project_id, body, version))

    async def project_versions(self, project_id: int, **page: Any) -> Page[VersionRead]:
        return await self._send(self.ops.project_versions(project_id, **page))

    async def create_asset(self, body: Body) -> AssetRead:
        return await self._send(self.ops.create_asset(body))

    async def list_assets(self, **filters: Any) -> Page[AssetRead]:
        return await self._send(self.ops.list_assets(**filters))

    async def get_asset(self, asset_id: int) -> AssetRead:
        return await self._send(self.ops.get_asset(asset_id))

    async def update_asset(self, asset_id: int, body: Body, version: int) -> AssetRead:
        return await self._send(self.ops.update_asset(asset_id, body, version))

    async def delete_asset(self, asset_id: int, version: int) -> None:
        return await self._send(self.ops.delete_asset(asset_id, version))

    async def transition_asset(
        self, asset_id: int, to: str, version: int, comment: str | None = None
    ) -> AssetRead:
        return await self._send(self.ops.transition_asset(asset_id, to, version, comment=comment))

    async def asset_versions(self, asset_id: int, **page: Any) -> Page[VersionRead]:
        return await self._send(self.ops.asset_versions(asset_id, **page))

    async def create_lesson(self, body: Body) -> LessonRead:
        return await self._send(self.ops.create_lesson(body))

    async def list_lessons(self, **filters: Any) -> Page[LessonRead]:
        return await self._send(self.ops.list_lessons(**filters))

    async def get_lesson(self, lesson_id: int) -> LessonRead:
        return await self._send(self.ops.get_lesson(lesson_id))

    async def update_lesson(self, lesson_id: int, body: Body, version: int) -> LessonRead:
        return await self._send(self.ops.update_lesson(lesson_id, body, version))

    async def lesson_versions(self, lesson_id: int, **page: Any) -> Page[VersionRead]:
        return await self._send(self.ops.lesson_versions(lesson_id, **page))

    async def related_lessons(self, lesson_id: int, limit: int | None = None) -> RelatedLessons:
        return await self._send(self.ops.related_lessons(lesson_id, limit=limit))

    async def search(self, q: str = "", **filters: Any) -> SearchPage:
        return await self._send(self.ops.search(q=q, **filters))

    async def suggest(self, q: str) -> Suggestions:
        return await self._send(self.ops.suggest(q))

    async def list_frameworks(self, **filters: Any) -> Page[FrameworkSummary]:
        return await self._send(self.ops.list_frameworks(**filters))

    async def get_framework(self, framework_id: int) -> FrameworkRead:
        return await self._send(self.ops.get_framework(framework_id))

    async def create_framework(self, body: Body) -> FrameworkRead:
        return await self._send(self.ops.create_framework(body))

    async def evidence_figures(self) -> list[FigureInfo]:
        return await self._send(self.ops.evidence_figures())

    async def create_assessment(self, body: Body) -> AssessmentRead:
        return await self._send(self.ops.create_assessment(body))

    async def list_assessments(self, **filters: Any) -> Page[AssessmentSummary]:
        return await self._send(self.ops.list_assessments(**filters))

    async def get_assessment(self, assessment_id: int) -> AssessmentRead:
        return await self._send(self.ops.get_assessment(assessment_id))

    async def update_assessment(
        self, assessment_id: int, body: Body, version: int
    ) -> AssessmentRead:
        return await self._send(self.ops.update_assessment(assessment_id, body, version))

    async def assessment_csv(self, assessment_id: int) -> str:
        return await self._send(self.ops.assessment_csv(assessment_id))

    async def assessment_chart(self, assessment_id: int) -> str:
        return await self._send(self.ops.assessment_chart(assessment_id))

    async def team_progress(self, team_id: int) -> TeamProgress:
        return await self._send(self.ops.team_progress(team_id))

    async def team_assessments_csv(self, team_id: int) -> str:
        return await self._send(self.ops.team_assessments_csv(team_id))

    # -- attachments and bulk --------------------------------------------------------------
    async def upload_attachment(
        self, asset_id: int, filename: str, content: bytes, content_type: str = ""
    ) -> AttachmentRead:
        call = self.ops.upload_attachment(asset_id, filename, content, content_type)
        return await self._send(call)

    async def list_attachments(self, asset_id: int, **page: Any) -> Page[AttachmentRead]:
        return await self._send(self.ops.list_attachments(asset_id, **page))

    async def download_attachment(self, attachment_id: int) -> bytes:
        return await self._send(self.ops.download_attachment(attachment_id))

    async def delete_attachment(self, attachment_id: int, asset_version: int) -> None:
        return await self._send(self.ops.delete_attachment(attachment_id, asset_version))

    async def export(self, type: str, format: str = "jsonl") -> bytes:
        return await self._send(self.ops.export(type, format))

    async def iter_export(self, type: str, format: str = "jsonl") -> AsyncIterator[str]:
        """The export line by line as it streams, in constant memory."""
        call = self.ops.export(type, format)
        try:
            async with self._http.stream(call.method, call.path, **call.request_args()) as response:
                if not response.is_success:
                    await response.aread()
                    decode_error(response)
                async for line in response.aiter_lines():
                    yield line
        except httpx.TransportError as exc:
            raise TransportError(f"{call.method} {call.path}: {exc}") from exc

    async def import_lines(
        self,
        type: str,
        lines: bytes,
        owning_team_id: int | None = None,
        *,
        project_id: int | None = None,
        keep_ids: bool = True,
    ) -> ImportReport:
        return await self._send(
            self.ops.import_lines(
                type, lines, owning_team_id, project_id=project_id, keep_ids=keep_ids
            )
        )

    # -- the learning loop and its metrics ---------------------------------------------
    async def transition_lesson(self, lesson_id: int, body: Body, version: int) -> LessonRead:
        return await self._send(self.ops.transition_lesson(lesson_id, body, version))

    async def create_action(self, body: Body) -> ActionRead:
        return await self._send(self.ops.create_action(body))

    async def list_actions(self, **filters: Any) -> Page[ActionRead]:
        return await self._send(self.ops.list_actions(**filters))

    async def get_action(self, action_id: int) -> ActionRead:
        return await self._send(self.ops.get_action(action_id))

    async def update_action(self, action_id: int, body: Body, version: int) -> ActionRead:
        return await self._send(self.ops.update_action(action_id, body, version))

    async def create_application(self, body: Body) -> ApplicationRead:
        return await self._send(self.ops.create_application(body))

    async def list_applications(self, **filters: Any) -> Page[ApplicationRead]:
        return await self._send(self.ops.list_applications(**filters))

    async def get_application(self, application_id: int) -> ApplicationRead:
        return await self._send(self.ops.get_application(application_id))

    async def update_application(
        self, application_id: int, body: Body, version: int
    ) -> ApplicationRead:
        return await self._send(self.ops.update_application(application_id, body, version))

    async def run_due_diligence(self, body: Body) -> DueDiligenceRead:
        return await self._send(self.ops.run_due_diligence(body))

    async def list_due_diligence(self, **filters: Any) -> Page[DueDiligenceRead]:
        return await self._send(self.ops.list_due_diligence(**filters))

    async def get_due_diligence(self, check_id: int) -> DueDiligenceRead:
        return await self._send(self.ops.get_due_diligence(check_id))

    async def record_decisions(self, check_id: int, decisions: list[Any]) -> DecisionsRecorded:
        return await self._send(self.ops.record_decisions(check_id, decisions))

    async def learning_metrics(
        self, team_id: int | None = None, from_date: str | None = None, to_date: str | None = None
    ) -> LearningMetrics:
        return await self._send(
            self.ops.learning_metrics(team_id=team_id, from_date=from_date, to_date=to_date)
        )

    # -- passwords, audit, webhooks, subscriptions, notifications ---------------------------
    async def change_password(self, body: Body) -> None:
        return await self._send(self.ops.change_password(body))

    async def list_audit_events(self, **filters: Any) -> Page[AuditEventRead]:
        return await self._send(self.ops.list_audit_events(**filters))

    async def create_webhook(self, body: Body) -> WebhookCreated:
        return await self._send(self.ops.create_webhook(body))

    async def list_webhooks(self, **page: Any) -> Page[WebhookRead]:
        return await self._send(self.ops.list_webhooks(**page))

    async def get_webhook(self, webhook_id: int) -> WebhookRead:
        return await self._send(self.ops.get_webhook(webhook_id))

    async def update_webhook(self, webhook_id: int, body: Body, version: int) -> WebhookRead:
        return await self._send(self.ops.update_webhook(webhook_id, body, version))

    async def delete_webhook(self, webhook_id: int, version: int) -> None:
        return await self._send(self.ops.delete_webhook(webhook_id, version))

    async def test_webhook(self, webhook_id: int) -> DeliveryRead:
        return await self._send(self.ops.test_webhook(webhook_id))

    async def list_deliveries(self, webhook_id: int, **page: Any) -> Page[DeliveryRead]:
        return await self._send(self.ops.list_deliveries(webhook_id, **page))

    async def redeliver(self, webhook_id: int, delivery_id: int) -> DeliveryRead:
        return await self._send(self.ops.redeliver(webhook_id, delivery_id))

    async def create_subscription(self, body: Body) -> SubscriptionRead:
        return await self._send(self.ops.create_subscription(body))

    async def list_subscriptions(self, **page: Any) -> Page[SubscriptionRead]:
        return await self._send(self.ops.list_subscriptions(**page))

    async def get_subscription(self, subscription_id: int) -> SubscriptionRead:
        return await self._send(self.ops.get_subscription(subscription_id))

    async def preview_subscription(self, subscription_id: int) -> SubscriptionPreview:
        return await self._send(self.ops.preview_subscription(subscription_id))

    async def delete_subscription(self, subscription_id: int) -> None:
        return await self._send(self.ops.delete_subscription(subscription_id))

    async def list_notifications(self, **page: Any) -> Page[NotificationRead]:
        return await self._send(self.ops.list_notifications(**page))

    async def mark_notification_read(self, notification_id: int) -> NotificationRead:
        return await self._send(self.ops.mark_notification_read(notification_id))
