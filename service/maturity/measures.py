"""What an evidence figure is computed over, and what it answers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from hindsight.service.auth import Principal


@dataclass(frozen=True)
class Window:
    team_id: int
    period_from: datetime
    period_to: datetime
    # Who reads the figures: each counts only what they may see (a reviewer of another team
    # must not learn, even as a count, what the team restricted to itself).
    viewer: Principal


@dataclass(frozen=True)
class Measured:
    value: float
    note: str = ""
    as_of_now: bool = False  # a count of the present state (e.g. membership), not the window
    period_from: datetime | None = None  # a figure with its own start (e.g. a fixed year)


Compute = Callable[[Session, Window], Measured]
