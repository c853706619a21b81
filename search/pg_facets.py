"""Total and facet counts of a PostgreSQL search in one pass over the matching rows.

The counts must be exact (what the hits would show, inside the caller's scope), so every
match is visited. Each row carries two small keys (revision 0009): `facet_key`, its
combination of type, kind, polarity, status, root cause category and year, and `label_key`,
its pair of topics and tags arrays. GROUPING SETS count the matches per key in one scan (two
integer hashes a row: 7 ms for 47,000 matches at 100,000 lessons, where grouping the text
columns and arrays themselves took 45 ms); the few hundred keys are then joined to their
values and added up per facet value here.
"""

from collections import Counter
from collections.abc import Sequence
from typing import Any

from hindsight.search.base import FACET_LIMIT, Facets
from hindsight.search.base import empty_facets as _empty

_SCALARS = ("type", "kind", "polarity", "status", "root_cause_category", "year")
_ARRAYS = ("topics", "tags")


def facet_sql(where: str) -> str:
    """One row per facet key and one per label key among the matches: whether it is a label
    row, the key's values, the count."""
    return (
        "SELECT c.g = 2 AS labels, "  # GROUPING: 2 when facet_key is not grouped
        + ", ".join(f"f.{name}" for name in _SCALARS)
        + ", l.topics, l.tags, c.n FROM (SELECT GROUPING(facet_key, label_key) AS g, "
        "facet_key, label_key, count(*) AS n "
        f"FROM search_documents WHERE {where} GROUP BY GROUPING SETS ((facet_key), (label_key))"
        ") c LEFT JOIN search_facet_sets f ON f.key = c.facet_key "
        "LEFT JOIN search_label_sets l ON l.key = c.label_key"
    )


def read_facets(rows: Sequence[Any]) -> tuple[int, Facets]:
    """The total and the facets (at most FACET_LIMIT values each, most frequent first) of
    `facet_sql`'s rows."""
    total = 0
    counts: dict[str, Counter[str]] = {name: Counter() for name in (*_SCALARS, *_ARRAYS)}
    for labels, *values, n in rows:
        n = int(n)
        if labels:
            for name, value in zip(_ARRAYS, values[len(_SCALARS) :], strict=True):
                # An item counts once per value, however often its array repeats the value.
                for item in set(value or ()):
                    counts[name][str(item)] += n
            continue
        total += n  # every match has exactly one facet key
        for name, value in zip(_SCALARS, values[: len(_SCALARS)], strict=True):
            if value is not None:
                counts[name][str(value)] += n
    facets = _empty()
    for name, found in counts.items():
        top = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]
        facets[name] = dict(top)
    return total, facets
