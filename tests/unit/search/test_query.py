"""The query language parser: what each piece of syntax becomes, and lenient failure."""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hindsight.search.base import InvalidQuery
from hindsight.search.query import (
    MAX_TERMS,
    Bool,
    Phrase,
    Prefix,
    Term,
    corrected_query,
    parse,
    positive_leaves,
    widen_terms,
)


def words(node):
    return [leaf.text for leaf in positive_leaves(node) if isinstance(leaf, Term)]


def test_plain_words_are_or_grouped_and_stopwords_dropped():
    node = parse("the valve failure")
    assert isinstance(node, Bool) and not node.must
    assert words(node) == ["valve", "failure"]


def test_a_query_of_only_stopwords_keeps_them():
    assert parse("the") == Term("the", span=(0, 3))


def test_and_binds_tighter_than_or():
    node = parse("a1 AND b1 c1")
    assert node.should[0] == Bool(must=(Term("a1", span=(0, 2)), Term("b1", span=(7, 9))))


def test_not_excludes_inside_its_group():
    node = parse("valve NOT seal")
    assert node.should == (Term("valve", span=(0, 5)),)
    assert node.must_not == (Term("seal", span=(10, 14)),)


def test_phrases_fields_and_prefixes():
    assert parse('"o-ring erosion"') == Phrase(("o", "ring", "erosion"))
    assert parse("title:valve").field == "title"
    assert parse('lesson:"cold soak"') == Phrase(("cold", "soak"), "lesson")
    assert parse("kind:(risk issue)").should[1].field == "kind"
    assert parse("valv*") == Prefix("valv")


def test_a_hyphenated_word_alone_in_a_field_or_under_and_is_a_phrase():
    assert parse("o-ring") == Phrase(("o", "ring"))
    assert parse("title:o-ring seal").should[0] == Phrase(("o", "ring"), "title")
    assert parse("o-ring AND seal").must[0] == Phrase(("o", "ring"))


def test_a_hyphenated_word_among_other_words_counts_as_its_words():
    node = parse("beta-cell loss in type-2 diabetes")
    assert all(isinstance(t, Term) for t in node.should)
    assert [t.text for t in node.should] == ["beta", "cell", "loss", "type", "2", "diabetes"]
    # Each part keeps its place in the query, so a typo correction lands on the right word.
    assert [t.span for t in node.should[:2]] == [(0, 4), (5, 9)]
    assert corrected_query("beta-cel loss", parse("beta-cel loss"), {"cel": "cell"}) == (
        "beta-cell loss"
    )


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"unclosed quote', ["unclosed", "quote"]),
        ("((valve", ["valve"]),
        ("valve))", ["valve"]),
        ("unknown:valve", ["unknown", "valve"]),
        ("valve AND", ["valve"]),
        ("OR valve", ["valve"]),
        ("valve NOT", ["valve"]),
        ("title: valve", ["valve"]),
        ("v* valve", ["v", "valve"]),  # a one-letter prefix is a word
    ],
)
def test_bad_syntax_is_read_leniently(q, expected):
    assert words(parse(q)) == expected


@pytest.mark.parametrize("q", ["", "   ", "*", "title:", "NOT", "AND OR", '""', "()", "-"])
def test_nothing_searchable_means_match_everything(q):
    assert parse(q) is None


def test_limits_raise_invalid_query_with_what_is_wrong():
    with pytest.raises(InvalidQuery, match="deeper"):
        parse("(" * 30 + "x")
    with pytest.raises(InvalidQuery, match="terms"):
        parse(" ".join(f"w{i}" for i in range(MAX_TERMS + 1)))
    with pytest.raises(InvalidQuery, match="longer"):
        parse("x" * 5000)


def test_a_correction_replaces_the_word_in_place():
    q = "title:valv failrue NOT seal"
    node = parse(q)
    assert corrected_query(q, node, {"failrue": "failure"}) == "title:valv failure NOT seal"
    widened = widen_terms(node, {"failrue": "failure"})
    assert "failure" in words(widened) and "failrue" in words(widened)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab :\"()*-\\NOTANDOR'title!&|é_0")), max_size=60))
def test_no_input_raises_anything_but_invalid_query_syntax_alphabet(q):
    with contextlib.suppress(InvalidQuery):
        parse(q)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_no_input_raises_anything_but_invalid_query_any_text(q):
    try:
        node = parse(q)
    except InvalidQuery:
        return
    for leaf in positive_leaves(node):
        text = " ".join(leaf.words) if isinstance(leaf, Phrase) else leaf.text
        assert text and all(c.isalnum() or c == " " for c in text)
