"""Queries of several words on PostgreSQL: weigh each word by its rarity, and of a long
pasted text keep only the words that tell lessons apart.

`ts_rank` has no inverse document frequency, so a pasted paragraph ranks lessons by the
common words it shares with them ("project", "team", "system"), and ORing 150 words makes
PostgreSQL visit most of the collection. For a query of many plain words we look up each
word's document count in `search_vocabulary`, keep the rarest ones (weighted by how often the
query says them), and rank by the sum of their `ts_rank`s weighted by BM25's idf.
"""

import math
from collections import Counter
from dataclasses import dataclass

from hindsight.search.query import Bool, Node, Phrase, Term

# 14 words scored 0.174 nDCG@10 on the due-diligence briefs, 30 scored 0.223, 50 0.203.
KEY_TERMS = 30
# Up to this many words, the all-words-first path of `search.common` serves the query.
SHORT_QUERY_TERMS = 4


@dataclass(frozen=True, slots=True)
class Focus:
    node: Bool
    weights: dict[str, float]  # word -> idf


def plain_words(node: Node | None) -> list[str] | None:
    """The words of a long query that only groups words (pasted prose: parentheses and
    hyphenated words become groups and phrases); None when it has fields, prefixes, AND or
    NOT, which say exactly what to match."""
    words: list[str] = []

    def walk(n: Node) -> bool:
        if isinstance(n, Bool):
            return not n.must and not n.must_not and all(walk(c) for c in n.should)
        if isinstance(n, Term) and n.field is None:
            words.append(n.text.lower())
            return True
        if isinstance(n, Phrase) and n.field is None:
            words.extend(w.lower() for w in n.words)
            return True
        return False

    if node is None or not walk(node):
        return None
    # A few words go the all-words-first way; more, and each word counts by its rarity.
    return words if len(set(words)) > SHORT_QUERY_TERMS else None


def key_terms(words: list[str], doc_counts: dict[str, int], total_docs: int) -> Focus | None:
    """The KEY_TERMS words with the highest query frequency x idf; words no document holds
    are dropped. None when no word is known at all."""
    said = Counter(words)
    scored: list[tuple[float, str, float]] = []
    for word, times in said.items():
        df = doc_counts.get(word, 0)
        if df <= 0:
            continue
        idf = math.log(1 + (total_docs - df + 0.5) / (df + 0.5))
        scored.append(((1 + math.log(times)) * idf, word, idf))
    if not scored:
        return None
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen = scored[:KEY_TERMS]
    node = Bool(should=tuple(Term(word) for _, word, _ in chosen))
    return Focus(node=node, weights={word: idf for _, word, idf in chosen})
