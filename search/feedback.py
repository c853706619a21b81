"""Pseudo-relevance feedback for prose queries: rank again with the words the best hits share.

A question of several words ("what problems of heat conduction in composite slabs have been
solved") states only part of what the relevant lessons say. The first few hits usually are
relevant, so the words they have in common and the query lacks ("transient", "laminate")
are good evidence: the search runs again with those words added as optional, weighted terms.
They change the order, never which items match, so totals and facets stay those of the query.
Weights follow the relevance model (RM1): a word's share of each feedback document, weighted
by that document's score relative to the best one.

Measured on Cranfield (bench/relevance.py), tantivy: nDCG@10 0.369 -> see the README's table.
"""

import re
from collections import Counter
from collections.abc import Callable, Sequence

from search.query import STOPWORDS, Bool, Node, Term

# Queries with at least this many plain words get feedback: short queries are names of
# things (and are timed tightly), prose is where the query lacks the lesson's own words.
MIN_TERMS = 5
FEEDBACK_DOCS = 5  # how many of the best hits lend their words
FEEDBACK_TERMS = 10  # how many words they lend
WEIGHT = 0.6  # the best feedback word counts this much of one query word
_WORD = re.compile(r"[^\W\d_]{3,}")

Weighted = tuple[tuple[str, float], ...]


def wants_feedback(node: Node | None) -> bool:
    """A plain OR of words, long enough to be prose."""
    if not isinstance(node, Bool) or node.must or node.must_not:
        return False
    words = [c for c in node.should if isinstance(c, Term) and c.field is None]
    return len(words) >= MIN_TERMS and len(words) == len(node.should)


def feedback_terms(
    node: Bool,
    docs: Sequence[tuple[float, Sequence[str]]],
    stem: Callable[[str], str | None],
) -> Weighted:
    """(word, weight) pairs from `docs` ((score, texts) of the best hits, best first), words
    of the query left out; the heaviest weighs `WEIGHT`."""
    if not docs or docs[0][0] <= 0:
        return ()
    asked = {stem(c.text) for c in node.should if isinstance(c, Term)}
    best = docs[0][0]
    weights: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = {}
    for score, texts in docs:
        words = [w for t in texts for w in _WORD.findall(t.lower()) if w not in STOPWORDS]
        stems = [stem(w) for w in words]
        counted = Counter(s for s in stems if s and s not in asked)
        if not words:
            continue
        for s, n in counted.items():
            weights[s] += n / len(words) * max(score, 0.0) / best
        for w, s in zip(words, stems, strict=True):
            if s in counted:
                surface.setdefault(s, Counter())[w] += 1
    top = weights.most_common(FEEDBACK_TERMS)
    if not top:
        return ()
    heaviest = top[0][1]
    # Each stem is sent as its most frequent spelling; the backends stem it again.
    return tuple((surface[s].most_common(1)[0][0], WEIGHT * w / heaviest) for s, w in top)
