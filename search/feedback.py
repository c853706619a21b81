"""Pseudo-relevance feedback for prose queries: rank again with the words the best hits share.

A question of several words ("what problems of heat conduction in composite slabs have been
solved") states only part of what the relevant lessons say, and weighs its words alike. The
first few hits usually are relevant, so the words they share are good evidence: those the
query lacks ("transient", "laminate") and which of its own words matter ("conduction" more
than "problems"). The search runs again with those words added as optional, weighted terms
(RM3's expanded query). They change the order, never which items match, so totals and facets
stay those of the query. A word's weight is its share of each feedback document, weighted by
that document's score relative to the best one (the relevance model).

Cranfield nDCG@10 on tantivy, bench/relevance.py: 0.377 without feedback, 0.389 to 0.395
for 3 to 10 feedback documents and 10 to 30 words (a plateau, not a peak); we take 5 and 15.
"""

import re
from collections import Counter
from collections.abc import Callable, Sequence

from search.query import STOPWORDS, Bool, Node, Term

# Queries of this many plain words get feedback: short queries are names of things (and
# are timed tightly); a page of prose (due diligence) names its subject in many words
# already, and a second pass would double its time (bench/search_http.py: 150 words, p50
# 28 -> 46 ms) for little change.
MIN_TERMS, MAX_TERMS = 5, 40
FEEDBACK_DOCS = 5  # how many of the best hits lend their words
FEEDBACK_TERMS = 15  # how many words they lend
WEIGHT = 0.6  # the best feedback word counts this much of one query word
_WORD = re.compile(r"[^\W\d_]{3,}")

Weighted = tuple[tuple[str, float], ...]


def wants_feedback(node: Node | None) -> bool:
    """A plain OR of words, long enough to be prose."""
    if not isinstance(node, Bool) or node.must or node.must_not:
        return False
    words = [c for c in node.should if isinstance(c, Term) and c.field is None]
    return MIN_TERMS <= len(words) <= MAX_TERMS and len(words) == len(node.should)


def feedback_terms(
    docs: Sequence[tuple[float, Sequence[str]]], stem: Callable[[str], str | None]
) -> Weighted:
    """(word, weight) pairs from `docs` ((score, texts) of the best hits, best first); the
    heaviest weighs `WEIGHT`. Words of the query count too: the best hits say which of them
    matter."""
    if not docs or docs[0][0] <= 0:
        return ()
    best = docs[0][0]
    weights: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = {}
    for score, texts in docs:
        words = [w for t in texts for w in _WORD.findall(t.lower()) if w not in STOPWORDS]
        stems = [stem(w) for w in words]
        counted = Counter(s for s in stems if s)
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
