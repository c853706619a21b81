"""Every operation of the API as a `Call`, grouped as API.md groups them. No I/O here.

List operations take the API's filters as keyword arguments (`status="learned"`); unset ones
are left out of the query. Updates and transitions take the `version` you last read: it is
sent as `If-Match`, so a concurrent edit is a `PreconditionError`, never a lost update.
"""

from typing import Any

from hindsight.clients._core import Body, Call, Core, as_json, drop_none, model_decoder, no_content
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


class Operations(Core):
    # -- service and people ------------------------------------------------------------
    def health(self) -> Call[Health]:
        return self.get("/healthz", Health)

    def create_team(self, body: Body) -> Call[TeamRead]:
        return self.create("/v1/teams", TeamRead, body)

    def list_teams(self, **page: Any) -> Call[Page[TeamRead]]:
        return self.get("/v1/teams", Page[TeamRead], **page)

    def get_team(self, team_id: int) -> Call[TeamRead]:
        return self.get(f"/v1/teams/{team_id}", TeamRead)

    def update_team(self, team_id: int, body: Body, version: int) -> Call[TeamRead]:
        return self.update(f"/v1/teams/{team_id}", TeamRead, body, version)

    def create_user(self, body: Body) -> Call[UserRead]:
        return self.create("/v1/users", UserRead, body)

    def list_users(self, **page: Any) -> Call[Page[UserRead]]:
        return self.get("/v1/users", Page[UserRead], **page)

    def me(self) -> Call[Me]:
        return self.get("/v1/users/me", Me)

    def get_user(self, user_id: int) -> Call[UserRead]:
        return self.get(f"/v1/users/{user_id}", UserRead)

    def update_user(self, user_id: int, body: Body, version: int) -> Call[UserRead]:
        return self.update(f"/v1/users/{user_id}", UserRead, body, version)

    def create_token(self, body: Body) -> Call[TokenCreated]:
        return self.create("/v1/tokens", TokenCreated, body)

    def list_tokens(self, **filters: Any) -> Call[Page[TokenRead]]:
        return self.get("/v1/tokens", Page[TokenRead], **filters)

    def revoke_token(self, token_id: int) -> Call[None]:
        return self.delete(f"/v1/tokens/{token_id}")

    # -- projects, assets, lessons -----------------------------------------------------
    def create_project(self, body: Body) -> Call[ProjectRead]:
        return self.create("/v1/projects", ProjectRead, body)

    def list_projects(self, **filters: Any) -> Call[Page[ProjectRead]]:
        return self.get("/v1/projects", Page[ProjectRead], **filters)

    def get_project(self, project_id: int) -> Call[ProjectRead]:
        return self.get(f"/v1/projects/{project_id}", ProjectRead)

    def update_project(self, project_id: int, body: Body, version: int) -> Call[ProjectRead]:
        return self.update(f"/v1/projects/{project_id}", ProjectRead, body, version)

    def project_versions(self, project_id: int, **page: Any) -> Call[Page[VersionRead]]:
        return self.get(f"/v1/projects/{project_id}/versions", Page[VersionRead], **page)

    def create_asset(self, body: Body) -> Call[AssetRead]:
        return self.create("/v1/assets", AssetRead, body)

    def list_assets(self, **filters: Any) -> Call[Page[AssetRead]]:
        return self.get("/v1/assets", Page[AssetRead], **filters)

    def get_asset(self, asset_id: int) -> Call[AssetRead]:
        return self.get(f"/v1/assets/{asset_id}", AssetRead)

    def update_asset(self, asset_id: int, body: Body, version: int) -> Call[AssetRead]:
        return self.update(f"/v1/assets/{asset_id}", AssetRead, body, version)

    def delete_asset(self, asset_id: int, version: int) -> Call[None]:
        return self.delete(f"/v1/assets/{asset_id}", version)

    def transition_asset(
        self, asset_id: int, to: str, version: int, comment: str | None = None
    ) -> Call[AssetRead]:
        body = {"to": to, "comment": comment} if comment else {"to": to}
        return self.transition(f"/v1/assets/{asset_id}/transitions", AssetRead, body, version)

    def asset_versions(self, asset_id: int, **page: Any) -> Call[Page[VersionRead]]:
        return self.get(f"/v1/assets/{asset_id}/versions", Page[VersionRead], **page)

    def create_lesson(self, body: Body) -> Call[LessonRead]:
        return self.create("/v1/lessons", LessonRead, body)

    def list_lessons(self, **filters: Any) -> Call[Page[LessonRead]]:
        return self.get("/v1/lessons", Page[LessonRead], **filters)

    def get_lesson(self, lesson_id: int) -> Call[LessonRead]:
        return self.get(f"/v1/lessons/{lesson_id}", LessonRead)

    def update_lesson(self, lesson_id: int, body: Body, version: int) -> Call[LessonRead]:
        return self.update(f"/v1/lessons/{lesson_id}", LessonRead, body, version)

    def lesson_versions(self, lesson_id: int, **page: Any) -> Call[Page[VersionRead]]:
        return self.get(f"/v1/lessons/{lesson_id}/versions", Page[VersionRead], **page)

    def related_lessons(self, lesson_id: int, limit: int | None = None) -> Call[RelatedLessons]:
        return self.get(f"/v1/lessons/{lesson_id}/related", RelatedLessons, limit=limit)

    # -- attachments ---------------------------------------------------------------------
    def upload_attachment(
        self, asset_id: int, filename: str, content: bytes, content_type: str = ""
    ) -> Call[AttachmentRead]:
        """The server judges the type from the bytes; `content_type` is only a hint."""
        path = f"/v1/assets/{asset_id}/attachments"
        part = (filename, content, content_type or "application/octet-stream")
        headers = self.headers(idempotent=True)
        return Call(
            "POST", path, model_decoder(AttachmentRead), files={"file": part}, headers=headers
        )

    def list_attachments(self, asset_id: int, **page: Any) -> Call[Page[AttachmentRead]]:
        return self.get(f"/v1/assets/{asset_id}/attachments", Page[AttachmentRead], **page)

    def download_attachment(self, attachment_id: int) -> Call[bytes]:
        return self.download(f"/v1/attachments/{attachment_id}")

    def delete_attachment(self, attachment_id: int, asset_version: int) -> Call[None]:
        """`asset_version`: the version of the attachment's asset last read (its ETag)."""
        return self.delete(f"/v1/attachments/{attachment_id}", asset_version)

    # -- bulk ------------------------------------------------------------------------------
    def export(self, type: str, format: str = "jsonl") -> Call[bytes]:
        """The whole export in one answer; the clients' `iter_export` streams it instead."""
        return self.download("/v1/export", type=type, format=format)

    def import_lines(
        self,
        type: str,
        lines: bytes,
        owning_team_id: int | None = None,
        *,
        project_id: int | None = None,
        keep_ids: bool = True,
    ) -> Call[ImportReport]:
        """JSON lines of assets or lessons (admin); matched by external_id, so re-sending the
        same lines is harmless and the call is retried like a read. Items keep the team and
        project their lines name unless `owning_team_id` or `project_id` place them;
        `keep_ids=False` drops the lines' ids (a file from another system)."""
        params = drop_none(
            {
                "type": type,
                "owning_team_id": owning_team_id,
                "project_id": project_id,
                "keep_ids": None if keep_ids else "false",
            }
        )
        headers = self.headers() | {"Content-Type": "application/x-ndjson"}
        decode = model_decoder(ImportReport)
        return Call(
            "POST", "/v1/import", decode, params, content=lines, headers=headers, repeatable=True
        )

    # -- lesson lifecycle, actions and applications -------------------------------------
    def transition_lesson(self, lesson_id: int, body: Body, version: int) -> Call[LessonRead]:
        """`body`: {"to": ..., "reason"?: ..., "evidence_of_change"?: ...}."""
        path = f"/v1/lessons/{lesson_id}/transitions"
        return self.transition(path, LessonRead, body, version)

    def create_action(self, body: Body) -> Call[ActionRead]:
        return self.create("/v1/actions", ActionRead, body)

    def list_actions(self, **filters: Any) -> Call[Page[ActionRead]]:
        return self.get("/v1/actions", Page[ActionRead], **filters)

    def get_action(self, action_id: int) -> Call[ActionRead]:
        return self.get(f"/v1/actions/{action_id}", ActionRead)

    def update_action(self, action_id: int, body: Body, version: int) -> Call[ActionRead]:
        return self.update(f"/v1/actions/{action_id}", ActionRead, body, version)

    def create_application(self, body: Body) -> Call[ApplicationRead]:
        return self.create("/v1/applications", ApplicationRead, body)

    def list_applications(self, **filters: Any) -> Call[Page[ApplicationRead]]:
        return self.get("/v1/applications", Page[ApplicationRead], **filters)

    def get_application(self, application_id: int) -> Call[ApplicationRead]:
        return self.get(f"/v1/applications/{application_id}", ApplicationRead)

    def update_application(
        self, application_id: int, body: Body, version: int
    ) -> Call[ApplicationRead]:
        path = f"/v1/applications/{application_id}"
        return self.update(path, ApplicationRead, body, version)

    # -- due diligence -------------------------------------------------------------------
    def run_due_diligence(self, body: Body) -> Call[DueDiligenceRead]:
        return self.create("/v1/due-diligence", DueDiligenceRead, body)

    def list_due_diligence(self, **filters: Any) -> Call[Page[DueDiligenceRead]]:
        return self.get("/v1/due-diligence", Page[DueDiligenceRead], **filters)

    def get_due_diligence(self, check_id: int) -> Call[DueDiligenceRead]:
        return self.get(f"/v1/due-diligence/{check_id}", DueDiligenceRead)

    def record_decisions(self, check_id: int, decisions: list[Any]) -> Call[DecisionsRecorded]:
        """`decisions`: [{"lesson_id", "decision", "note"}]; posting again updates them."""
        path = f"/v1/due-diligence/{check_id}/decisions"
        return self.create(path, DecisionsRecorded, decisions)

    # -- learning metrics ----------------------------------------------------------------
    def learning_metrics(
        self,
        team_id: int | None = None,
        from_date: str | None = None,
        to_date: str | None = None,
    ) -> Call[LearningMetrics]:
        """`from_date`/`to_date`: ISO days, e.g. "2026-01-01" (sent as `from` and `to`)."""
        params = {"team_id": team_id, "from": from_date, "to": to_date}
        return self.get("/v1/metrics/learning", LearningMetrics, **params)

    # -- search ------------------------------------------------------------------------
    def search(self, q: str = "", **filters: Any) -> Call[SearchPage]:
        return self.get("/v1/search", SearchPage, q=q, **filters)

    def suggest(self, q: str) -> Call[Suggestions]:
        return self.get("/v1/search/suggest", Suggestions, q=q)

    # -- knowledge-management maturity -------------------------------------------------
    def list_frameworks(self, **filters: Any) -> Call[Page[FrameworkSummary]]:
        return self.get("/v1/maturity/frameworks", Page[FrameworkSummary], **filters)

    def get_framework(self, framework_id: int) -> Call[FrameworkRead]:
        return self.get(f"/v1/maturity/frameworks/{framework_id}", FrameworkRead)

    def create_framework(self, body: Body) -> Call[FrameworkRead]:
        return self.create("/v1/maturity/frameworks", FrameworkRead, body)

    def evidence_figures(self) -> Call[list[FigureInfo]]:
        return self.get("/v1/maturity/evidence-figures", list[FigureInfo])

    def create_assessment(self, body: Body) -> Call[AssessmentRead]:
        return self.create("/v1/maturity/assessments", AssessmentRead, body)

    def list_assessments(self, **filters: Any) -> Call[Page[AssessmentSummary]]:
        return self.get("/v1/maturity/assessments", Page[AssessmentSummary], **filters)

    def get_assessment(self, assessment_id: int) -> Call[AssessmentRead]:
        return self.get(f"/v1/maturity/assessments/{assessment_id}", AssessmentRead)

    def update_assessment(
        self, assessment_id: int, body: Body, version: int
    ) -> Call[AssessmentRead]:
        path = f"/v1/maturity/assessments/{assessment_id}"
        return self.update(path, AssessmentRead, body, version)

    def assessment_csv(self, assessment_id: int) -> Call[str]:
        return self.text(f"/v1/maturity/assessments/{assessment_id}", format="csv")

    def assessment_chart(self, assessment_id: int) -> Call[str]:
        return self.text(f"/v1/maturity/assessments/{assessment_id}/chart.svg")

    def team_progress(self, team_id: int) -> Call[TeamProgress]:
        return self.get(f"/v1/maturity/teams/{team_id}/progress", TeamProgress)

    def team_assessments_csv(self, team_id: int) -> Call[str]:
        return self.text(f"/v1/maturity/teams/{team_id}/assessments.csv")

    # -- passwords, audit, webhooks, subscriptions, notifications ---------------------------
    def change_password(self, body: Body) -> Call[None]:
        return Call(
            "POST", "/v1/users/me/password", no_content, json=as_json(body), headers=self.headers()
        )

    def list_audit_events(self, **filters: Any) -> Call[Page[AuditEventRead]]:
        return self.get("/v1/audit", Page[AuditEventRead], **filters)

    def create_webhook(self, body: Body) -> Call[WebhookCreated]:
        return self.create("/v1/webhooks", WebhookCreated, body)

    def list_webhooks(self, **page: Any) -> Call[Page[WebhookRead]]:
        return self.get("/v1/webhooks", Page[WebhookRead], **page)

    def get_webhook(self, webhook_id: int) -> Call[WebhookRead]:
        return self.get(f"/v1/webhooks/{webhook_id}", WebhookRead)

    def update_webhook(self, webhook_id: int, body: Body, version: int) -> Call[WebhookRead]:
        return self.update(f"/v1/webhooks/{webhook_id}", WebhookRead, body, version)

    def delete_webhook(self, webhook_id: int, version: int) -> Call[None]:
        return self.delete(f"/v1/webhooks/{webhook_id}", version)

    def test_webhook(self, webhook_id: int) -> Call[DeliveryRead]:
        return self.create(f"/v1/webhooks/{webhook_id}/test", DeliveryRead, None)

    def list_deliveries(self, webhook_id: int, **page: Any) -> Call[Page[DeliveryRead]]:
        return self.get(f"/v1/webhooks/{webhook_id}/deliveries", Page[DeliveryRead], **page)

    def redeliver(self, webhook_id: int, delivery_id: int) -> Call[DeliveryRead]:
        return self.create(
            f"/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", DeliveryRead, None
        )

    def create_subscription(self, body: Body) -> Call[SubscriptionRead]:
        return self.create("/v1/subscriptions", SubscriptionRead, body)

    def list_subscriptions(self, **page: Any) -> Call[Page[SubscriptionRead]]:
        return self.get("/v1/subscriptions", Page[SubscriptionRead], **page)

    def get_subscription(self, subscription_id: int) -> Call[SubscriptionRead]:
        return self.get(f"/v1/subscriptions/{subscription_id}", SubscriptionRead)

    def preview_subscription(self, subscription_id: int) -> Call[SubscriptionPreview]:
        return self.get(f"/v1/subscriptions/{subscription_id}/preview", SubscriptionPreview)

    def delete_subscription(self, subscription_id: int) -> Call[None]:
        return self.delete(f"/v1/subscriptions/{subscription_id}")

    def list_notifications(self, **page: Any) -> Call[Page[NotificationRead]]:
        return self.get("/v1/notifications", Page[NotificationRead], **page)

    def mark_notification_read(self, notification_id: int) -> Call[NotificationRead]:
        return self.create(f"/v1/notifications/{notification_id}/read", NotificationRead, None)
