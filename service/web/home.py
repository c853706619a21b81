"""The home page: search first, the pre-project review second, then what is the person's."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hindsight.service.web.rendering import render
from hindsight.service.web.session import Viewer

router = APIRouter()


@router.get("/")
def home(request: Request, who: Viewer) -> Response:
    return render(request, "home.html", {"title": "Home"})
