"""Projects: the work behind knowledge assets, with the team described as one would to a
newcomer (experience and actions, not only job titles)."""

from typing import Annotated

from pydantic import ConfigDict, Field, model_validator

from hindsight.schemas import examples
from hindsight.schemas.common import (
    AwareTimestamp,
    Contact,
    Input,
    Labels,
    Output,
    UTCTimestamp,
)
from hindsight.schemas.enums import OrganisationType, Phase, ProjectStatus, Visibility

Name = Annotated[str, Field(min_length=1, max_length=200)]


class TeamMember(Input):
    """One person (or role) in the team, with the experience behind the title."""

    role: str = Field(min_length=1, max_length=200, examples=["specialist nurse"])
    years_experience: int = Field(ge=0, le=70, description="years in this kind of work")
    specialisms: list[Name] = Field(default_factory=list, max_length=30)
    training: list[Name] = Field(default_factory=list, max_length=30)
    note: str = Field(
        "",
        max_length=4000,
        description="what the person did, in actions: what 'supportive leadership' or "
        "'effective administration' meant here",
    )


TeamContext = Annotated[list[TeamMember], Field(max_length=100)]
Contacts = Annotated[list[Contact], Field(max_length=100)]


def _check_dates(started_at: object, ended_at: object) -> None:
    if started_at is not None and ended_at is not None and ended_at < started_at:  # type: ignore[operator]
        raise ValueError("ended_at must not be before started_at")


class ProjectCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.PROJECT_CREATE]})

    name: Name
    description: str = Field("", max_length=20_000)
    organisation: str = Field("", max_length=200)
    organisation_type: OrganisationType = OrganisationType.other
    population: str | None = Field(None, max_length=1000, description="who the work served")
    scale: str | None = Field(None, max_length=1000, description="e.g. sites, staff, budget")
    phase: Phase = Phase.initiation
    status: ProjectStatus = ProjectStatus.proposed
    started_at: AwareTimestamp | None = None
    ended_at: AwareTimestamp | None = None
    owning_team_id: int | None = Field(
        None, description="defaults to the caller's team when the caller has exactly one"
    )
    visibility: Visibility = Visibility.internal
    team_ids: list[int] = Field(default_factory=list, max_length=100)
    team_context: TeamContext = Field(default_factory=list)
    contacts: Contacts = Field(default_factory=list)
    tags: Labels = Field(default_factory=list)
    topics: Labels = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates_in_order(self) -> "ProjectCreate":
        _check_dates(self.started_at, self.ended_at)
        return self


class ProjectUpdate(Input):
    """Only the fields sent change. `null` clears an optional field; required ones refuse it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.PROJECT_UPDATE]})

    name: Name | None = None
    description: str | None = Field(None, max_length=20_000)
    organisation: str | None = Field(None, max_length=200)
    organisation_type: OrganisationType | None = None
    population: str | None = Field(None, max_length=1000)
    scale: str | None = Field(None, max_length=1000)
    phase: Phase | None = None
    status: ProjectStatus | None = None
    started_at: AwareTimestamp | None = None
    ended_at: AwareTimestamp | None = None
    owning_team_id: int | None = None
    visibility: Visibility | None = None
    team_ids: list[int] | None = Field(None, max_length=100)
    team_context: TeamContext | None = None
    contacts: Contacts | None = None
    tags: Labels | None = None
    topics: Labels | None = None


class ProjectRead(Output):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.PROJECT_READ]})

    id: int
    name: str
    description: str
    organisation: str
    organisation_type: OrganisationType
    population: str | None
    scale: str | None
    phase: Phase
    status: ProjectStatus
    started_at: UTCTimestamp | None
    ended_at: UTCTimestamp | None
    owning_team_id: int
    visibility: Visibility
    team_ids: list[int]
    team_context: list[TeamMember]
    contacts: list[Contact]
    tags: list[str]
    topics: list[str]
    version: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
