"""The key terms of a brief and the words of a result's reason, without a database."""

from collections.abc import Sequence

from hindsight.search.base import DocFreqs
from hindsight.service.applications.service import Track
from hindsight.service.due_diligence import ranking, terms
from hindsight.service.due_diligence.terms import KeyTerm, key_terms

BRIEF = """Background. Our supplier delivered battery packs that needed rework; the rework
delayed the fleet. Objectives: inspect supplier work at delivery, agree acceptance tests
with the supplier, and stop rework reaching the depot. The supplier rework cost us three
months. Scope: all electric vehicles in the fleet."""


def frequencies(freq: dict[str, int], total: int = 10_000):
    def doc_freq(words: Sequence[str]) -> DocFreqs:
        return DocFreqs(total=total, freq={w: freq.get(w, 50) for w in words})

    return doc_freq


def test_key_terms_skip_stop_words_and_brief_headings() -> None:
    found = key_terms("Battery pack supplier", BRIEF, [], frequencies({}))
    texts = [t.text for t in found]
    assert texts[0] == "supplier"  # in the title and four times in the text
    assert "rework" in texts[:4]  # as often as "battery" and "pack" (title words)
    assert not {"the", "and", "background", "objectives", "scope", "months"} & set(texts)
    assert len([t for t in found if not t.is_phrase]) <= terms.MAX_TERMS


def test_repeated_pairs_become_phrases() -> None:
    found = key_terms("Supplier rework", BRIEF, [], frequencies({}))
    phrases = [t for t in found if t.is_phrase]
    assert [p.text for p in phrases][:1] == ["supplier rework"]
    assert phrases[0].stems == ("supplier", "rework")


def test_words_the_collection_lacks_or_holds_everywhere_are_dropped() -> None:
    doc_freq = frequencies({"supplier": 0, "rework": 9_000})
    texts = [t.text for t in key_terms("Supplier rework", BRIEF, [], doc_freq)]
    assert "supplier" not in texts and "rework" not in texts
    # In a small collection a common word stays: there is too little to tell.
    small = frequencies({"rework": 9}, total=10)
    assert "rework" in [t.text for t in key_terms("Supplier rework", BRIEF, [], small)]


def test_topics_count_extra() -> None:
    plain = key_terms("Fleet", BRIEF, [], frequencies({}))
    with_topic = key_terms("Fleet", BRIEF, ["acceptance inspection"], frequencies({}))
    weight = {t.text: t.weight for t in plain}
    boosted = {t.text: t.weight for t in with_topic}
    assert boosted["acceptance"] > weight.get("acceptance", 0)


def test_nothing_but_stop_words_gives_no_terms() -> None:
    assert key_terms("The", "and the of it", [], frequencies({})) == []


def test_matched_terms_need_phrase_words_together() -> None:
    wanted = [
        KeyTerm(("supplier",), "suppliers", 1.0, 2),
        KeyTerm(("shift", "handov"), "shift handover", 1.0, 2),
    ]
    found = ranking.matched_terms(
        wanted,
        {
            "title": "Supplier checks at shift handovers",
            "lesson": "the shift, then the handover; a resupplier",
        },
    )
    assert found == {"suppliers": ["title"], "shift handover": ["title"]}


def test_reasons_say_what_matched_where_and_what_is_proven() -> None:
    fit = ranking.applicability_fit(
        ranking.Brief(phase="planning", topics=("procurement", "fleet"), organisation_type=None),
        ranking.Applicability(phases=("planning",), topics=("procurement", "fleet vehicles")),
    )
    assert fit.matched == ["phase:planning", "topic:procurement", "topic:fleet"]
    proof = ranking.proven_fit("learned", Track(applied=2, helped=2))
    assert proof.boost > 0
    text = ranking.reason(
        {"supplier": ["title", "lesson"], "rework": ["title"], "inspection": ["lesson"]},
        [*fit.notes, *proof.notes],
    )
    assert text == (
        "matches 'supplier', 'rework' in the title, 'inspection' in the lesson; phase planning; "
        "topic procurement; topic fleet; learned, with evidence of change; applied twice, "
        "helped twice"
    )
    hindered = ranking.proven_fit("identified", Track(applied=1, hindered=1))
    assert hindered.boost < 0 and hindered.notes == ["applied once, hindered"]


def test_rerank_multiplies_the_text_score_by_the_boosts() -> None:
    order = ranking.rerank({1: 10.0, 2: 9.5, 3: 2.0}, {2: 0.2, 3: 3.0})
    assert [item for item, _ in order] == [2, 1, 3]
    assert order[0][1] == round(9.5 / 10 * 1.2, 4)
