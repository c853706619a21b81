"""Enumerations of the contract: lower-case snake_case strings."""

from enum import StrEnum


class Role(StrEnum):
    """Each role includes the ones before it."""

    reader = "reader"
    contributor = "contributor"
    reviewer = "reviewer"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class Phase(StrEnum):
    """Stage of a project; also used in a lesson's applicability."""

    initiation = "initiation"
    planning = "planning"
    delivery = "delivery"
    closure = "closure"
    operations = "operations"


class ProjectStatus(StrEnum):
    proposed = "proposed"
    active = "active"
    on_hold = "on_hold"
    completed = "completed"
    cancelled = "cancelled"


class OrganisationType(StrEnum):
    nhs_trust = "nhs_trust"
    primary_care = "primary_care"
    integrated_care_board = "integrated_care_board"
    local_authority = "local_authority"
    central_government = "central_government"
    public_health_agency = "public_health_agency"
    arms_length_body = "arms_length_body"
    voluntary_sector = "voluntary_sector"
    private_sector = "private_sector"
    partnership = "partnership"
    other = "other"


class Visibility(StrEnum):
    """`restricted`: only the owning team, the teams named in `team_ids`, and admins."""

    public = "public"
    internal = "internal"
    restricted = "restricted"


class AssetKind(StrEnum):
    post_project_review = "post_project_review"
    retrospect = "retrospect"
    after_action_review = "after_action_review"
    before_action_review = "before_action_review"
    case_study = "case_study"
    research_summary = "research_summary"
    story = "story"
    exit_interview = "exit_interview"
    knowledge_cafe = "knowledge_cafe"


class AssetStatus(StrEnum):
    """Review workflow: draft -> in_review -> published -> archived."""

    draft = "draft"
    in_review = "in_review"
    published = "published"
    archived = "archived"


class Polarity(StrEnum):
    success_factor = "success_factor"
    barrier = "barrier"


class Impact(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class RootCauseCategory(StrEnum):
    people = "people"
    process = "process"
    communication = "communication"
    leadership = "leadership"
    resources = "resources"
    skills_and_training = "skills_and_training"
    technology = "technology"
    data_and_information = "data_and_information"
    governance = "governance"
    requirements = "requirements"
    supplier_or_partner = "supplier_or_partner"
    external = "external"
    other = "other"


class LessonStatus(StrEnum):
    """A lesson is not learned until something changed (the lifecycle comes with actions)."""

    identified = "identified"
    action_planned = "action_planned"
    actioned = "actioned"
    learned = "learned"
    not_actioned = "not_actioned"


class ActionStatus(StrEnum):
    """`done` needs evidence; open and in_progress actions past their due date are overdue."""

    open = "open"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class Decision(StrEnum):
    """What a later project decided about a lesson it considered."""

    apply = "apply"
    adapt = "adapt"
    not_applicable = "not_applicable"


class Outcome(StrEnum):
    """Whether applying the lesson helped: the measure of whether learning works."""

    pending = "pending"
    helped = "helped"
    no_effect = "no_effect"
    hindered = "hindered"


class TextStatus(StrEnum):
    """Where an attachment's text stands: extracted in the background after the upload."""

    pending = "pending"
    done = "done"
    skipped = "skipped"


class WebhookEvent(StrEnum):
    """What a webhook can be told about (API.md "Webhooks")."""

    asset_published = "asset.published"
    asset_archived = "asset.archived"
    lesson_created = "lesson.created"
    lesson_status_changed = "lesson.status_changed"
    action_created = "action.created"
    action_overdue = "action.overdue"
    action_done = "action.done"
    due_diligence_created = "due_diligence.created"
    application_outcome_recorded = "application.outcome_recorded"
    capture_request_created = "capture_request.created"
    ping = "ping"


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class Frequency(StrEnum):
    """How often a subscription is sent: each match at once, or a digest per period."""

    immediate = "immediate"
    daily = "daily"
    weekly = "weekly"


class NotificationKind(StrEnum):
    subscription = "subscription"
    digest = "digest"
    action_due = "action_due"
    action_overdue = "action_overdue"
    action_escalated = "action_escalated"
    verification_due = "verification_due"
    capture_request = "capture_request"
    capture_answered = "capture_answered"
