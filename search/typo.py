"""Typo tolerance: correct a query's rare words from the index vocabulary.

A word is corrected when the index does not know it and a known word lies within 1 edit
(words of 4-7 letters) or 2 edits (8 letters or more); shorter words are left alone, since
at that length nearly every word is one edit from another. Edits are insertions, deletions,
substitutions and swaps of two neighbouring letters. Candidates come from words sharing the
first letter (the backends list their vocabulary by prefix), so a typo in the first letter is
not caught. Among candidates the closest wins, then the most frequent.
"""

from collections.abc import Callable

from hindsight.search.query import Node, Term, positive_leaves

FUZZY_BELOW = 3  # the fallback runs when the exact query finds fewer hits than this

# word prefix -> [(known word, document count)]
Vocabulary = Callable[[str], list[tuple[str, int]]]


def max_edits(word: str) -> int:
    if len(word) < 4 or word.isdigit():
        return 0
    return 1 if len(word) <= 7 else 2


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, stopping early once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def best_correction(word: str, candidates: list[tuple[str, int]]) -> str | None:
    edits = max_edits(word)
    if edits == 0 or any(known == word for known, _ in candidates):
        return None
    best: tuple[int, int, str] | None = None
    for known, count in candidates:
        if abs(len(known) - len(word)) > edits or not known.isalpha():
            continue
        d = distance(word, known, edits)
        if d <= edits and (best is None or (d, -count, known) < best):
            best = (d, -count, known)
    return best[2] if best else None


def corrections(node: Node | None, vocabulary: Vocabulary) -> dict[str, str]:
    """word -> corrected word, for each plain word of the query the index lacks."""
    fixes: dict[str, str] = {}
    for leaf in positive_leaves(node):
        if not isinstance(leaf, Term) or leaf.field not in (None, "title", "lesson"):
            continue
        if leaf.text in fixes or max_edits(leaf.text) == 0:
            continue
        fixed = best_correction(leaf.text, vocabulary(leaf.text[0]))
        if fixed:
            fixes[leaf.text] = fixed
    return fixes
