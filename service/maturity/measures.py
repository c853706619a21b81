"""What an evidence figure is computed over, and what it answers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session


@dataclass(frozen=True)
class Window:
    team_id: int
    period_from: datetime
    period_to: datetime


@dataclass(frozen=True)
class Measured:
    value: float
    note: str = ""
    as_of_now: bool = False  # a count of the present state (e.g. membership), not the window
    period_from: datetime | None = None  # a figure with its own start (e.g. a fixed year)


Compute = Callable[[Session, Window], Measured]
