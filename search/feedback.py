"""Pseudo-relevance feedback for prose queries: rank again with the words the best hits share.

A question of several words ("what problems of heat conduction in composite slabs have been
solved") states only part of what the relevant lessons say, and weighs its words alike. The
first few hits usually are relevant, so the words they share are good evidence: those the
query lacks ("transient", "laminate") and which of its own words matter ("conduction" more
than "problems"). The search runs again with those words added as optional, weighted terms
(RM3's expanded query). They change the order, never which items match, so totals and facets
stay those of the query. A word's weight sums, over the feedback documents, the log of its
count there (damped: a word a long document repeats is not that much better evidence) times
the document's score relative to the best one (the relevance model).

The same second pass also rewards the query's own adjacent words found next to each other
(`proximity_pairs`: "heat conduction" as a phrase), a light weight against the words
themselves: a text that says "heat conduction" is about it more surely than one that says
"heat" and, later, "conduction".

Cranfield nDCG@10 on tantivy, bench/relevance.py: 0.377 without feedback; 0.392 with a
word's share of each document as its weight (5 documents, 15 words, weight 0.6); 0.396 with
the log count, 20 words, weight 0.8; 0.402 with the pairs added. Around that choice it is a
plateau (0.400 to 0.403 for 20 to 30 words, weights 0.8 to 1.0, pairs 0.2 to 0.3), not a
peak. These were tuned on Cranfield; the due-diligence briefs (bench/due_diligence.py) are
the check that they were not tuned to it alone.

SciFact train (claims with one or two relevant abstracts each, so the five best hold mostly
others) says feedback costs a little there, with the body weighed as the lesson: 0.661 with
it, 0.674 without. Cranfield loses more without it (0.401 -> 0.377), so it stays, and no
variant won on both: weight 0.4 (SciFact 0.664, Cranfield 0.396), 3 documents (0.659,
0.398), only words that two documents share (0.649, 0.401), pairs alone (0.670, 0.380).
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise

from hindsight.search.query import STOPWORDS, Bool, Node, Phrase, Term

# Queries of this many plain words get feedback: short queries are names of things (and
# are timed tightly); a page of prose (due diligence) names its subject in many words
# already, and a second pass would double its time (bench/search_http.py: 150 words, p50
# 28 -> 46 ms) for little change.
MIN_TERMS, MAX_TERMS = 5, 40
FEEDBACK_DOCS = 5  # how many of the best hits lend their words
FEEDBACK_TERMS = 20  # how many words they lend
WEIGHT = 0.8  # the best feedback word counts this much of one query word
PAIR_WEIGHT = 0.2  # two adjacent query words found side by side count this much more
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
        for s, n in counted.items():
            weights[s] += math.log1p(n) * max(score, 0.0) / best
        for w, s in zip(words, stems, strict=True):
            if s in counted:
                surface.setdefault(s, Counter())[w] += 1
    top = weights.most_common(FEEDBACK_TERMS)
    if not top:
        return ()
    heaviest = top[0][1]
    # Each stem is sent as its most frequent spelling; the backends stem it again.
    return tuple((surface[s].most_common(1)[0][0], WEIGHT * w / heaviest) for s, w in top)


def proximity_pairs(node: Bool) -> Weighted:
    """Each two adjacent words of the query (function words left out) as a phrase, weighing
    `PAIR_WEIGHT`; the backends compile a text with a space as a phrase."""
    words = [c.text for c in node.should if isinstance(c, Term)]
    pairs = dict.fromkeys(f"{a} {b}" for a, b in pairwise(words) if a != b)
    return tuple((pair, PAIR_WEIGHT) for pair in pairs)


def feedback_leaf(text: str) -> Term | Phrase:
    """A feedback entry as a query leaf: a word, or a phrase when it holds a space."""
    words = tuple(text.split())
    return Term(words[0]) if len(words) == 1 else Phrase(words)
