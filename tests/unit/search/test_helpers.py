"""Snippets and typo corrections, the pieces every backend shares."""

from hindsight.search.snippets import WINDOW_WORDS, make_snippet, mark_headline
from hindsight.search.typo import best_correction, distance, max_edits


def test_snippet_escapes_first_then_marks():
    snippet = make_snippet(["A <b>valve</b> & a seal"], lambda w: w == "valve")
    assert snippet == "A &lt;b&gt;<mark>valve</mark>&lt;/b&gt; &amp; a seal"


def test_snippet_windows_around_the_matches():
    text = " ".join(["filler"] * 100 + ["valve"] + ["filler"] * 100)
    snippet = make_snippet(["", text], lambda w: w == "valve")
    assert "<mark>valve</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert snippet.count("filler") == WINDOW_WORDS - 1


def test_snippet_prefers_the_first_text_with_a_match():
    assert make_snippet(["nothing here", "the valve"], lambda w: w == "valve").endswith(
        "<mark>valve</mark>"
    )


def test_headline_markers_become_marks_after_escaping():
    assert mark_headline("\x02valve\x03 <i>") == "<mark>valve</mark> &lt;i&gt;"


def test_edit_distance_counts_a_swap_as_one():
    assert distance("failrue", "failure", 2) == 1
    assert distance("valve", "valves", 2) == 1
    assert distance("abc", "xyz", 1) == 2  # stops once past the limit


def test_corrections_by_word_length():
    assert max_edits("cat") == 0 and max_edits("valve") == 1 and max_edits("cryogenics") == 2
    vocab = [("failure", 10), ("failures", 3), ("fairway", 1)]
    assert best_correction("failrue", vocab) == "failure"
    assert best_correction("failure", vocab) is None  # a known word is left alone
    assert best_correction("fxxxxre", vocab) is None
