"""SQL for the PostgreSQL backend: the query tree, filters and access scope as one WHERE.

Values always travel as bound parameters; the only text spliced into SQL is our own.
"""

from hindsight.search.base import AccessScope, SearchFilters
from hindsight.search.query import Bool, Node, Phrase, Prefix, Term, positive_leaves
from hindsight.search.snippets import START, STOP

# ts_rank with weights for {D, C, B, A}, normalised by document length (flag 1).
RANK = "ts_rank('{{0.1, 0.2, 0.4, 1.0}}', tsv, {q}, 1)"
# For the key words of a long query, each weighted by its idf: flatter field weights, since a
# pasted brief's words are as likely to be in a lesson's observation as in its title (nDCG@10
# on the due-diligence briefs: 0.223 with the weights above, 0.269 with these).
KEY_TERM_RANK = "ts_rank('{{0.3, 0.5, 0.7, 1.0}}', tsv, {q}, 1)"
_HEADLINE = f'StartSel="{START}", StopSel="{STOP}", MaxWords=30, MinWords=12, MaxFragments=0'
# Field queries for fields that share a weight class are checked on the field's own text.
_FIELD_TEXT = {
    "title": "to_tsvector('english', title)",
    "lesson": "to_tsvector('english', lesson)",
    "topic": "to_tsvector('english', array_to_string(topics, ' '))",
    "tag": "to_tsvector('english', array_to_string(tags, ' '))",
    "kind": "to_tsvector('english', coalesce(kind, ''))",
}
_FIELD_WEIGHT = {"title": "A", "lesson": "A", "recommendation": "B", "topic": "D", "tag": "D"}


class Params(dict[str, object]):
    def add(self, value: object) -> str:
        name = f"p{len(self)}"
        self[name] = value
        return f":{name}"


def leaf_ts(leaf: Term | Phrase | Prefix, weight: str = "") -> str:
    """A tsquery operand; every word is letters and digits only, so quoting is safe."""
    if isinstance(leaf, Prefix):
        return f"'{leaf.text}':*{weight}"
    words = leaf.words if isinstance(leaf, Phrase) else (leaf.text,)
    suffix = f":{weight}" if weight else ""
    return " <-> ".join(f"'{w}'{suffix}" for w in words)


def _compile(node: Node, params: Params) -> tuple[str, str]:
    """("ts", tsquery text) when the subtree is one tsquery, else ("sql", predicate)."""
    if not isinstance(node, Bool):
        if node.field is None:
            return "ts", leaf_ts(node)
        weighted = leaf_ts(node, _FIELD_WEIGHT.get(node.field, ""))
        if node.field == "recommendation":  # the only field with weight B
            return "ts", weighted
        own = f"{_FIELD_TEXT[node.field]} @@ to_tsquery('english', {params.add(leaf_ts(node))})"
        if node.field == "kind":
            return "sql", own
        return "sql", f"(tsv @@ to_tsquery('english', {params.add(weighted)}) AND {own})"
    parts = {
        "must": [_compile(c, params) for c in node.must],
        "should": [_compile(c, params) for c in node.should],
        "not": [_compile(c, params) for c in node.must_not],
    }
    if all(kind == "ts" for group in parts.values() for kind, _ in group):
        ts = [f"({t})" for _, t in parts["must"]]
        if parts["should"]:
            ts.append("(" + " | ".join(f"({t})" for _, t in parts["should"]) + ")")
        ts += [f"!({t})" for _, t in parts["not"]]
        return "ts", " & ".join(ts)

    def sql(item: tuple[str, str]) -> str:
        kind, body = item
        return f"tsv @@ to_tsquery('english', {params.add(body)})" if kind == "ts" else body

    preds = [sql(i) for i in parts["must"]]
    if parts["should"]:
        preds.append("(" + " OR ".join(sql(i) for i in parts["should"]) + ")")
    preds += [f"NOT ({sql(i)})" for i in parts["not"]]
    return "sql", "(" + (" AND ".join(preds) or "TRUE") + ")"


def _filters(f: SearchFilters, params: Params) -> list[str]:
    preds = [f"{name} = {params.add(value)}" for name, value in f.keyword_items()]
    if f.topic is not None:
        preds.append(f"topics @> ARRAY[CAST({params.add(f.topic)} AS text)]")
    if f.tag is not None:
        preds.append(f"tags @> ARRAY[CAST({params.add(f.tag)} AS text)]")
    if f.project_id is not None:
        preds.append(f"project_id = {params.add(f.project_id)}")
    if f.team_id is not None:
        team = params.add(f.team_id)
        preds.append(f"(owning_team_id = {team} OR {team} = ANY(team_ids))")
    if f.created_from is not None:
        preds.append(f"created_at >= {params.add(f.created_from)}")
    if f.created_to is not None:
        preds.append(f"created_at <= {params.add(f.created_to)}")
    return preds


def _scope(scope: AccessScope, params: Params) -> list[str]:
    """`AccessScope.can_see` as SQL. `shared` (public or internal) and `listed` (shared and
    published) are generated columns at the front of the row (revision 0009): most rows are
    settled by one flag, without reading the team columns."""
    if scope.is_admin:
        return []
    teams = params.add(sorted(scope.team_ids))
    owner = f"owning_team_id = ANY(CAST({teams} AS integer[]))"
    member = f"team_ids && CAST({teams} AS integer[])"
    if scope.sees_unpublished:
        return [f"(shared OR {owner} OR {member})"]
    # Readable (shared or in a team of the item) and published, or owned.
    return [f"(listed OR {owner} OR (is_published AND {member}))"]


def build_where(
    node: Node | None,
    filters: SearchFilters | None,
    scope: AccessScope,
    exclude: str | None,
    params: Params,
) -> tuple[str, str | None]:
    """The WHERE clause, and the tsquery expression to rank and highlight with (None when
    the query has no positive words)."""
    preds: list[str] = []
    if node is not None:
        kind, body = _compile(node, params)
        preds.append(f"tsv @@ to_tsquery('english', {params.add(body)})" if kind == "ts" else body)
    preds += _filters(filters, params) if filters else []
    preds += _scope(scope, params)
    if exclude:
        preds.append(f"doc_id <> {params.add(exclude)}")
    leaves = positive_leaves(node)
    rank_q = None
    if leaves:
        rank_q = (
            f"to_tsquery('english', {params.add(' | '.join(leaf_ts(leaf) for leaf in leaves))})"
        )
    return " AND ".join(preds) or "TRUE", rank_q


def headline_sql(rank_q: str | None, params: Params) -> str:
    if rank_q is None:
        return "NULL::text"
    texts = (
        "concat_ws(' … ', NULLIF(p.lesson, ''), NULLIF(p.recommendation, ''), "
        "NULLIF(p.observation, ''), NULLIF(p.body, ''))"
    )
    return f"ts_headline('english', left({texts}, 20000), {rank_q}, {params.add(_HEADLINE)})"
