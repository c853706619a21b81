"""The query language, parsed once into a small tree that every backend compiles.

    words                 any of them (OR grouping, ranked by BM25F), so prose finds lessons
    "a phrase"            the words next to each other
    field:term            title, lesson, recommendation, topic, tag, kind; field:"..." and
                          field:(...) work too
    a AND b, a OR b       AND binds tighter than OR; juxtaposition means OR
    NOT a, a NOT b        excludes; a query of only NOTs means "everything except"
    prefix*               words starting with "prefix" (at least two letters)

Parsing is lenient: an unbalanced quote or parenthesis, a lone operator, `field:` with
nothing after it, a lone `*` or an unknown `field:` are read as well as they can be (the bad
syntax is dropped or taken as words). Only limits raise `InvalidQuery`: the query length,
the number of terms, of prefixes and the nesting depth. No other exception leaves `parse`.
"""

import dataclasses
import re
from dataclasses import dataclass, replace
from typing import Union

from hindsight.search.base import InvalidQuery

FIELDS = frozenset({"title", "lesson", "recommendation", "topic", "tag", "kind"})
MAX_QUERY_CHARS = 4000
MAX_TERMS = 600  # q is at most 2,000 characters over HTTP: room for any pasted prose
MAX_DEPTH = 12
MIN_PREFIX = 2
# Each prefix expands to every indexed word it starts (a two-letter one to thousands): 499 of
# them took 1.9 s on Tantivy, 8 such queries at once 16 s. Ten cover any real query.
MAX_PREFIXES = 10
# English function words, dropped from OR groups of plain words (never from phrases, never
# alone): they match nearly every lesson, slow long queries down, and pull prose queries
# towards texts that share only their grammar (Cranfield nDCG@10 +0.005; bench/relevance.py).
_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just may me might more most must my myself neither no nor not
    now of off on once only or other our ours ourselves out over own same shall she should
    so some such than that the their them themselves then there these they this those
    through to too under until up upon very was we were what when where whether which while
    who whom whose why will with within would you your yours
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_PIECE = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'\s+|\(|\)|"[^"]*"?|[^\s()"]+')


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # lower case, letters and digits only, not stemmed
    field: str | None = None
    span: tuple[int, int] = (0, 0)  # where the word sits in the user's query


@dataclass(frozen=True, slots=True)
class Phrase:
    words: tuple[str, ...]
    field: str | None = None
    # Where each word sits in the query, for a phrase written as one word ("o-ring").
    spans: tuple[tuple[int, int], ...] = dataclasses.field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Prefix:
    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Bool:
    """Matches when every `must` matches, at least one `should` does (if there are any) and
    no `must_not` does. With neither must nor should it matches everything not excluded."""

    must: tuple["Node", ...] = ()
    should: tuple["Node", ...] = ()
    must_not: tuple["Node", ...] = ()


Node = Union[Term, Phrase, Prefix, Bool]  # noqa: UP007 (a runtime alias for the recursion)
Leaf = Union[Term, Phrase, Prefix]  # noqa: UP007


@dataclass(frozen=True, slots=True)
class _Not:
    child: Node


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # word, phrase, field, lparen, rparen, and, or, not
    text: str
    start: int


def _lex(q: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    depth = 0
    for m in _TOKEN.finditer(q):
        text, start = m.group(), m.start()
        if text.isspace():
            continue
        if text == "(":
            depth += 1
            tokens.append(_Tok("lparen", text, start))
        elif text == ")":
            if depth:  # a closing parenthesis without an opening one is dropped
                depth -= 1
                tokens.append(_Tok("rparen", text, start))
        elif text.startswith('"') and len(text) > 1 and text.endswith('"'):
            tokens.append(_Tok("phrase", text[1:-1], start + 1))
        elif text.startswith('"'):  # an unclosed quote: its words are plain words
            for w in re.finditer(r"[^\s()]+", text[1:]):
                tokens.extend(_lex_word(w.group(), start + 1 + w.start()))
        elif text in ("AND", "OR", "NOT"):
            tokens.append(_Tok(text.lower(), text, start))
        else:
            tokens.extend(_lex_word(text, start))
    return tokens


def _lex_word(text: str, start: int) -> list[_Tok]:
    name, colon, rest = text.partition(":")
    if colon and name.lower() in FIELDS:
        field = [_Tok("field", name.lower(), start)]
        return field + ([_Tok("word", rest, start + len(name) + 1)] if rest else [])
    if colon:  # "foo:bar" with an unknown field: two words
        return [_Tok("word", p.group(), start + p.start()) for p in re.finditer(r"[^:]+", text)]
    return [_Tok("word", text, start)]


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.leaves = 0
        self.prefixes = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse_or(self, depth: int, field: str | None) -> Node | None:
        if depth > MAX_DEPTH:
            raise InvalidQuery(f"the query nests parentheses deeper than {MAX_DEPTH} levels")
        items: list[Node | _Not] = []
        while (kind := self.peek()) not in (None, "rparen"):
            if kind in ("or", "and"):  # an operator with nothing on its left is ignored
                self.take()
                continue
            item = self.parse_and(depth, field)
            if item is not None:
                items.append(item)
        should = [i for i in items if not isinstance(i, _Not)]
        if len(should) > 1:
            should = [t for i in should for t in _parts(i)]
        must_not = [i.child for i in items if isinstance(i, _Not)]
        plain = [s for s in should if not (isinstance(s, Term) and s.text in STOPWORDS)]
        return _bool((), tuple(plain or should), tuple(must_not))

    def parse_and(self, depth: int, field: str | None) -> Node | _Not | None:
        parts = [self.parse_unary(depth, field)]
        while self.peek() == "and":
            self.take()
            if self.peek() in (None, "rparen", "or", "and"):
                break
            parts.append(self.parse_unary(depth, field))
        kept = [p for p in parts if p is not None]
        if len(kept) <= 1:
            return kept[0] if kept else None
        must = tuple(p for p in kept if not isinstance(p, _Not))
        must_not = tuple(p.child for p in kept if isinstance(p, _Not))
        return _bool(must, (), must_not)

    def parse_unary(self, depth: int, field: str | None) -> Node | _Not | None:
        if self.peek() != "not":
            return self.parse_primary(depth, field)
        self.take()
        if self.peek() in (None, "rparen", "or", "and"):
            return None  # a lone NOT is dropped
        child = self.parse_unary(depth, field)
        if child is None or isinstance(child, _Not):  # NOT NOT x is x
            return child.child if isinstance(child, _Not) else None
        return _Not(child)

    def parse_primary(self, depth: int, field: str | None) -> Node | None:
        tok = self.take()
        if tok.kind == "lparen":
            inner = self.parse_or(depth + 1, field)
            if self.peek() == "rparen":
                self.take()
            return inner  # an unclosed parenthesis closes at the end of the query
        if tok.kind == "field":
            if self.peek() in ("word", "phrase", "lparen"):
                return self.parse_primary(depth, tok.text)
            return None  # "title:" with nothing after it
        if tok.kind == "phrase":
            return self.leaf(tok, field, phrase=True)
        if tok.kind == "word":
            return self.leaf(tok, field, phrase=False)
        return None  # "rparen" cannot reach here: parse_or stops before it

    def leaf(self, tok: _Tok, field: str | None, *, phrase: bool) -> Node | None:
        text = tok.text
        is_prefix = not phrase and text.endswith("*")
        pieces = [(m.group().lower(), m.span()) for m in _PIECE.finditer(text)]
        if not pieces:
            return None
        self.leaves += 1
        if self.leaves > MAX_TERMS:
            raise InvalidQuery(f"the query has more than {MAX_TERMS} terms, the limit")
        if len(pieces) > 1:
            spans = () if phrase else tuple((tok.start + a, tok.start + b) for _, (a, b) in pieces)
            return Phrase(tuple(p for p, _ in pieces), field, spans)
        word, (a, b) = pieces[0]
        if is_prefix and len(word) >= MIN_PREFIX:
            self.prefixes += 1
            if self.prefixes > MAX_PREFIXES:
                raise InvalidQuery(
                    f"the query has more than {MAX_PREFIXES} prefixes (word*), the limit; "
                    "spell some words out"
                )
            return Prefix(word, field)
        return Term(word, field, (tok.start + a, tok.start + b))


def _parts(node: Node) -> list[Node]:
    """A hyphenated word among other words as its parts ("beta-cell" -> beta, cell), as plain
    BM25 reads it: a phrase scores all or nothing, its parts each count (tantivy nDCG@10:
    Cranfield 0.401 -> 0.411, SciFact train 0.661 -> 0.668; bench/relevance.py). Alone, in a
    field or under AND it stays a phrase; quoted words always do."""
    if isinstance(node, Phrase) and node.spans and node.field is None:
        return [Term(w, None, span) for w, span in zip(node.words, node.spans, strict=True)]
    return [node]


def _bool(
    must: tuple[Node, ...], should: tuple[Node, ...], must_not: tuple[Node, ...]
) -> Node | None:
    if not must_not and len(must) + len(should) == 1:
        return (must or should)[0]
    if not (must or should or must_not):
        return None
    return Bool(must, should, must_not)


def parse(q: str) -> Node | None:
    """The query tree, or None when nothing searchable is left (match everything)."""
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"the query is longer than {MAX_QUERY_CHARS} characters, the limit")
    parser = _Parser(_lex(q))
    node = parser.parse_or(0, None)
    # An extra closing parenthesis cannot remain: the lexer dropped unmatched ones.
    return node


def positive_leaves(node: Node | None) -> list[Leaf]:
    """The terms, phrases and prefixes a hit may match (not the excluded ones)."""
    if node is None:
        return []
    if isinstance(node, Bool):
        return [leaf for child in node.must + node.should for leaf in positive_leaves(child)]
    return [node]


def widen_terms(node: Node, corrections: dict[str, str]) -> Node:
    """Each corrected plain word becomes "word OR correction" (the fuzzy fallback)."""
    if isinstance(node, Term) and node.text in corrections:
        return Bool(should=(node, replace(node, text=corrections[node.text])))
    if isinstance(node, Bool):
        return Bool(
            tuple(widen_terms(c, corrections) for c in node.must),
            tuple(widen_terms(c, corrections) for c in node.should),
            node.must_not,
        )
    return node


def corrected_query(q: str, node: Node | None, corrections: dict[str, str]) -> str:
    """The user's query with each corrected word replaced in place."""
    spans = sorted(
        (leaf.span, corrections[leaf.text])
        for leaf in positive_leaves(node)
        if isinstance(leaf, Term) and leaf.text in corrections and leaf.span != (0, 0)
    )
    out, last = [], 0
    for (a, b), word in spans:
        if a < last:
            continue
        out += [q[last:a], word]
        last = b
    return "".join([*out, q[last:]])
