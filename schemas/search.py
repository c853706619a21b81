"""What `/v1/search`, `/v1/search/suggest` and `/v1/lessons/{id}/related` answer."""

from pydantic import BaseModel, ConfigDict, Field

from hindsight.schemas import examples
from hindsight.schemas.common import UTCTimestamp


class SearchItem(BaseModel):
    type: str = Field(description="lesson, asset or project")
    id: int
    title: str
    snippet: str = Field(description="HTML-escaped text; matched words wrapped in <mark>")
    score: float | None = Field(description="relevance; null when sorted by date")
    kind: str | None = None
    status: str | None = None
    polarity: str | None = None
    project_id: int | None = None
    created_at: UTCTimestamp


class SearchPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.SEARCH_PAGE]})

    items: list[SearchItem]
    total: int = Field(ge=0, description="every visible match, not just this page")
    limit: int
    offset: int
    facets: dict[str, dict[str, int]] = Field(
        description="per facet, value -> count of visible matches"
    )
    suggestion: str | None = Field(
        None, description="the query with misspelt words corrected, when that finds more"
    )


class Suggestions(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.SUGGESTIONS]})

    suggestions: list[str]


class RelatedLessons(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.RELATED_LESSONS]})

    items: list[SearchItem]
