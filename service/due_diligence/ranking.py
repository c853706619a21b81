"""Reranking the index's candidates for a brief, and saying why each result is shown.

The index ranks by text alone (BM25 over the weighted key terms). Here a candidate's share of
the best candidate's score is raised for what the text cannot know: that the lesson applies
to the brief's phase, topics or kind of organisation, and that it is proven (learned, with
evidence of change; applied by later projects and found to help). A lesson that hindered
those who applied it is lowered. Boosts multiply the text score, so they reorder results of
similar relevance without lifting an unrelated lesson over a relevant one.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from hindsight.schemas.enums import LessonStatus
from hindsight.search.stemming import english_stem
from hindsight.service.applications.service import Track
from hindsight.service.due_diligence.terms import KeyTerm

PHASE_BOOST = 0.10
ORGANISATION_BOOST = 0.10
TOPIC_BOOST = 0.15  # per topic named by the brief and the lesson alike
TOPIC_WORD_BOOST = 0.05  # per topic sharing a word with one of the lesson's
MAX_TOPIC_BOOST = 0.30
LEARNED_BOOST = 0.10
ACTIONED_BOOST = 0.05
HELPED_BOOST = 0.08  # per application that helped
MAX_HELPED_BOOST = 0.24
HINDERED_PENALTY = 0.08  # per application that hindered
MAX_HINDERED_PENALTY = 0.24
MAX_SHOWN_TERMS = 5

_WORD = re.compile(r"[a-z][a-z0-9]*")


@dataclass(frozen=True)
class Brief:
    phase: str | None
    topics: tuple[str, ...]
    organisation_type: str | None


@dataclass(frozen=True)
class Applicability:
    """What a candidate says about where it applies (lessons: their applicability and tags;
    assets: their topics and tags, and their project's organisation type)."""

    phases: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    organisation_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fit:
    """How a candidate fits the brief beyond its text, and the words for it."""

    boost: float
    matched: list[str]
    notes: list[str]


def _words(label: str) -> set[str]:
    return {english_stem(w) for w in _WORD.findall(label.lower()) if len(w) > 2}


def applicability_fit(brief: Brief, where: Applicability) -> Fit:
    boost, matched, notes = 0.0, [], []
    if brief.phase and brief.phase in where.phases:
        boost += PHASE_BOOST
        matched.append(f"phase:{brief.phase}")
        notes.append(f"phase {brief.phase}")
    if brief.organisation_type and brief.organisation_type in where.organisation_types:
        boost += ORGANISATION_BOOST
        matched.append(f"organisation_type:{brief.organisation_type}")
        notes.append(f"organisation type {brief.organisation_type}")
    topic_boost = 0.0
    theirs = set(where.topics)
    their_words = set().union(*(_words(t) for t in theirs)) if theirs else set()
    for topic in brief.topics:
        if topic in theirs:
            topic_boost += TOPIC_BOOST
        elif _words(topic) & their_words:
            topic_boost += TOPIC_WORD_BOOST
        else:
            continue
        matched.append(f"topic:{topic}")
        notes.append(f"topic {topic}")
    boost += min(topic_boost, MAX_TOPIC_BOOST)
    return Fit(boost, matched, notes)


def proven_fit(status: str, track: Track | None) -> Fit:
    boost, notes = 0.0, []
    if status == LessonStatus.learned:
        boost += LEARNED_BOOST
        notes.append("learned, with evidence of change")
    elif status == LessonStatus.actioned:
        boost += ACTIONED_BOOST
        notes.append("actioned")
    if track is not None and track.applied:
        boost += min(track.helped * HELPED_BOOST, MAX_HELPED_BOOST)
        boost -= min(track.hindered * HINDERED_PENALTY, MAX_HINDERED_PENALTY)
        notes.append(_track_words(track))
    return Fit(boost, [], notes)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _track_words(track: Track) -> str:
    parts = [f"applied {_times(track.applied)}"]
    if track.helped:
        parts.append(f"helped {_times(track.helped)}" if track.helped > 1 else "helped")
    if track.hindered:
        parts.append(f"hindered {_times(track.hindered)}" if track.hindered > 1 else "hindered")
    if track.no_effect:
        parts.append(f"no effect {_times(track.no_effect)}")
    return ", ".join(parts)


def rerank(scores: Mapping[int, float], boosts: Mapping[int, float]) -> list[tuple[int, float]]:
    """Ids by final score: the share of the best text score, times one plus the boosts
    (never below zero); ties keep the index's order (scores are inserted best first)."""
    best = max(scores.values(), default=0.0) or 1.0
    final = {
        item: round(max(score / best * (1 + boosts.get(item, 0.0)), 0.0), 4)
        for item, score in scores.items()
    }
    order = {item: i for i, item in enumerate(scores)}
    return sorted(final.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def matched_terms(terms: Sequence[KeyTerm], fields: Mapping[str, str]) -> dict[str, list[str]]:
    """Per key term that occurs in the item (same stems; a phrase's stems next to each
    other), the fields it occurs in, in the order of `fields`."""
    wanted = {stem for term in terms for stem in term.stems}
    if not wanted:
        return {}
    # English stems keep a word's first three letters: a regex (in C) finds the few words
    # that may match, so only those are stemmed, not every word of a long lesson.
    heads = "|".join(sorted({re.escape(stem[:3]) for stem in wanted}))
    candidates = re.compile(rf"(?<![a-z0-9])(?:{heads})[a-z0-9]*")
    found: dict[str, list[str]] = {}
    for name, text in fields.items():
        lowered = text.lower()
        tokens = [
            (english_stem(m.group()), m.start(), m.end()) for m in candidates.finditer(lowered)
        ]
        present = {stem for stem, _, _ in tokens}
        for term in terms:
            if all(stem in present for stem in term.stems) and _occurs(term.stems, tokens, lowered):
                found.setdefault(term.text, []).append(name)
    return {term.text: found[term.text] for term in terms if term.text in found}


def _occurs(wanted: tuple[str, ...], tokens: list[tuple[str, int, int]], text: str) -> bool:
    """Whether the stems follow each other with no other word between them."""
    if len(wanted) == 1:
        return True  # the caller found it among the present stems
    for i in range(len(tokens) - len(wanted) + 1):
        window = tokens[i : i + len(wanted)]
        if tuple(stem for stem, _, _ in window) != wanted:
            continue
        gaps = pairwise(window)
        if not any(_WORD.search(text, left[2], right[1]) for left, right in gaps):
            return True
    return False


def reason(found: Mapping[str, list[str]], notes: Iterable[str]) -> str:
    """ "matches 'supplier', 'rework' in the title, 'inspection' in the lesson; topic
    procurement; applied twice, helped twice"."""
    by_field: dict[str, list[str]] = {}
    for term, names in list(found.items())[:MAX_SHOWN_TERMS]:
        by_field.setdefault(names[0], []).append(f"'{term}'")
    parts = []
    if by_field:
        groups = [f"{', '.join(words)} in the {field}" for field, words in by_field.items()]
        parts.append("matches " + ", ".join(groups))
    parts.extend(notes)
    return "; ".join(parts) if parts else "matches the description"
