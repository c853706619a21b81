"""Walking a paged list: shared by the sync and async `paginate`."""

from typing import Any

from hindsight.schemas.common import Page

PAGE_SIZE = 100  # the API's largest page


def next_offset(page: Page[Any]) -> int | None:
    """Where the next page starts, or None after the last one (or an empty page, which
    also ends the walk if items vanish while we read)."""
    following = page.offset + len(page.items)
    if not page.items or following >= page.total:
        return None
    return following
