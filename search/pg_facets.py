"""Total and facet counts of a PostgreSQL search in one pass over the matching rows.

The counts must be exact (what the hits would show, inside the caller's scope), so every
match is visited. They used to be eight GROUP BYs over a MATERIALIZED CTE: the matches were
written to a temporary file, read back nine times, and topics and tags unnested row by row
(about 140 ms of 210 ms for 45,000 matches at 100,000 lessons). GROUPING SETS count all the
facets in one scan; topics and tags are grouped by the whole array (far fewer distinct
arrays than rows) and summed per value here, the scalar facets by their combination.
"""

from collections import Counter
from collections.abc import Sequence
from typing import Any

from search.base import FACET_LIMIT, Facets
from search.base import empty_facets as _empty

# Facet name -> the SQL it groups by, in GROUPING() bit order (first is the highest bit).
_GROUPED = {
    "type": "type",
    "kind": "kind",
    "polarity": "polarity",
    "status": "status",
    "root_cause_category": "root_cause_category",
    "year": "year",
    "topics": "topics",
    "tags": "tags",
}
_ARRAYS = ("topics", "tags")
_SCALARS = tuple(name for name in _GROUPED if name not in _ARRAYS)
_COLUMNS = ", ".join(_GROUPED.values())
# The scalar facets as one set (their combinations are few: a few hundred rows to add up
# here), so each row is hashed three times, not seven (about 10% of the query).
_SETS = ", ".join(
    [f"({', '.join(_GROUPED[n] for n in _SCALARS)})", *(f"({_GROUPED[n]})" for n in _ARRAYS)]
)
_BIT = {name: 1 << (len(_GROUPED) - 1 - i) for i, name in enumerate(_GROUPED)}


def facet_sql(where: str) -> str:
    """One row per combination of scalar facet values and one per distinct topics or tags
    array: GROUPING() bits, the grouped columns, the count."""
    return (
        f"SELECT GROUPING({_COLUMNS}) AS g, {_COLUMNS}, count(*) AS n "
        f"FROM search_documents WHERE {where} GROUP BY GROUPING SETS ({_SETS})"
    )


def read_facets(rows: Sequence[Any]) -> tuple[int, Facets]:
    """The total and the facets (at most FACET_LIMIT values each, most frequent first) of
    `facet_sql`'s rows."""
    names = list(_GROUPED)
    total = 0
    counts: dict[str, Counter[str]] = {name: Counter() for name in names}
    for row in rows:
        bits, values, n = row[0], dict(zip(names, row[1:-1], strict=True)), int(row[-1])
        grouped = [name for name in names if not bits & _BIT[name]]
        if grouped and grouped[0] in _SCALARS:
            total += n  # every match is in exactly one scalar combination
        for name in grouped:
            value = values[name]
            if value is None:
                continue
            if name in _ARRAYS:
                # An item counts once per value, however often its array repeats the value.
                for item in set(value):
                    counts[name][str(item)] += n
            else:
                counts[name][str(value)] += n
    facets = _empty()
    for name, values in counts.items():
        top = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]
        facets[name] = dict(top)
    return total, facets
