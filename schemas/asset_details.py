"""The structured section of each kind of knowledge asset, one model per kind.

`AssetDetails` is a union discriminated on `kind`: the asset's own `kind` is copied into
`details` before validation (see `schemas.assets`), so a client writes it once. Required
parts have no default, so a missing one is a 422 that names it.
"""

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from hindsight.schemas.common import Contact, Input, TextList

Text = Annotated[str, Field(min_length=1, max_length=20_000)]
Contacts = Annotated[list[Contact], Field(max_length=100)]


class _Details(Input):
    # Present for the discriminator only: the asset's `kind` says it already.
    kind: str = Field(exclude=True)


class ReviewDetails(_Details):
    """Post-project review, retrospect or after-action review: what was meant to happen,
    what happened, why, and what to do differently."""

    kind: Literal["post_project_review", "retrospect", "after_action_review"] = Field(exclude=True)
    objectives: Text
    what_went_well: TextList = Field(default_factory=list)
    what_went_wrong: TextList = Field(default_factory=list)
    what_to_improve: TextList = Field(default_factory=list)
    useful_contacts: Contacts = Field(default_factory=list)


class BeforeActionReviewDetails(_Details):
    kind: Literal["before_action_review"] = Field(exclude=True)
    intended_results: Text
    anticipated_challenges: TextList = Field(default_factory=list)
    lessons_considered: list[int] = Field(
        default_factory=list, max_length=200, description="ids of lessons the team looked at"
    )
    success_measures: TextList = Field(default_factory=list)


class CaseStudyDetails(_Details):
    kind: Literal["case_study"] = Field(exclude=True)
    challenge: Text
    approach: Text
    km_techniques: TextList = Field(default_factory=list)
    outcome: Text
    impact: Text


class ResearchSummaryDetails(_Details):
    kind: Literal["research_summary"] = Field(exclude=True)
    question: Text
    findings: Text
    limitations: Text = Field(description="required: a summary without its limitations misleads")
    population: Text
    sources: TextList = Field(default_factory=list)


class StoryDetails(_Details):
    kind: Literal["story"] = Field(exclude=True)
    narrative: Text
    moral: Text


class ExitInterviewDetails(_Details):
    kind: Literal["exit_interview"] = Field(exclude=True)
    role: Annotated[str, Field(min_length=1, max_length=200)]
    tenure_years: float = Field(ge=0, le=70)
    key_knowledge: TextList = Field(default_factory=list)
    handover_contacts: Contacts = Field(default_factory=list)


class KnowledgeCafeDetails(_Details):
    kind: Literal["knowledge_cafe"] = Field(exclude=True)
    topic: Text
    question: Text
    participants: int = Field(ge=1, le=10_000, description="how many people took part")
    themes: TextList = Field(default_factory=list)
    conclusions: Text


AssetDetails = Annotated[
    ReviewDetails
    | BeforeActionReviewDetails
    | CaseStudyDetails
    | ResearchSummaryDetails
    | StoryDetails
    | ExitInterviewDetails
    | KnowledgeCafeDetails,
    Field(discriminator="kind"),
]

details_adapter: TypeAdapter[AssetDetails] = TypeAdapter(AssetDetails)
