"""The home page: search first, the pre-project review second, then what is the person's:
their teams' drafts, their open actions, and what is new in their topics."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from hindsight.schemas.actions import ActionRead
from hindsight.schemas.assets import AssetRead
from hindsight.schemas.lessons import LessonRead
from hindsight.service.actions import service as actions_service
from hindsight.service.assets import service as assets_service
from hindsight.service.auth import Principal
from hindsight.service.deps import DbSession
from hindsight.service.lessons import service as lessons_service
from hindsight.service.users import service as users_service
from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer

router = APIRouter()

SHOWN = 8
MAX_TOPICS = 5


def _drafts(db: Session, who: Principal) -> list[AssetRead]:
    """Drafts of the person's teams: what they and their colleagues have yet to finish."""
    drafts: dict[int, AssetRead] = {}
    for team_id in sorted(who.team_ids):
        page, _ = assets_service.list_visible(
            db, who, filters={"status": "draft", "team_id": team_id}, limit=SHOWN, offset=0
        )
        drafts |= {a.id: a for a in page}
    return sorted(drafts.values(), key=lambda a: a.updated_at, reverse=True)[:SHOWN]


def _open_actions(db: Session, who: Principal) -> list[ActionRead]:
    if who.user_id is None:
        return []
    actions: list[ActionRead] = []
    for status in actions_service.OPEN:
        page, _ = actions_service.list_visible(
            db, who, filters={"owner_user_id": who.user_id, "status": status}, limit=SHOWN, offset=0
        )
        actions += page
    return sorted(actions, key=lambda a: (a.due_date, a.id))[:SHOWN]


def _topics(db: Session, who: Principal) -> list[str]:
    """The person's specialisms stand for their topics (a user has no other list)."""
    if who.user_id is None:
        return []
    user = users_service.get(db, who, who.user_id)
    return [" ".join(t.split()).lower() for t in user.specialisms if t.strip()][:MAX_TOPICS]


def _newest(db: Session, who: Principal) -> list[LessonRead]:
    newest, _ = lessons_service.list_visible(db, who, filters={}, limit=SHOWN, offset=0)
    return newest


def _in_topics(db: Session, who: Principal, topics: list[str]) -> list[LessonRead]:
    found: dict[int, LessonRead] = {}
    for topic in topics:
        page, _ = lessons_service.list_visible(
            db, who, filters={"topic": topic}, limit=SHOWN, offset=0
        )
        found |= {lesson.id: lesson for lesson in page}
    return sorted(found.values(), key=lambda x: (x.created_at, x.id), reverse=True)[:SHOWN]


@router.get("/")
def home(request: Request, db: DbSession, who: Viewer) -> Response:
    actions = _open_actions(db, who)
    topics = _topics(db, who)
    in_topics = _in_topics(db, who, topics) if topics else []
    context = {
        "title": "Home",
        "drafts": _drafts(db, who),
        "actions": actions,
        "action_lessons": lessons_service.visible_reads(db, who, [a.lesson_id for a in actions]),
        "topics": topics,
        # Nothing in the person's topics yet: the newest lessons, under their own heading.
        "in_topics": bool(in_topics),
        "whats_new": in_topics or _newest(db, who),
    }
    return render(request, "home.html", context)
