"""The pages of capture, review, act and measure, registered by routes.py in one line."""

from types import ModuleType

from hindsight.service.web import act, admin, capture, capture_project, dashboard, maturity, queue

PAGES: tuple[ModuleType, ...] = (capture, capture_project, queue, act, dashboard, maturity, admin)
