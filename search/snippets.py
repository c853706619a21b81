"""Snippets: a short window of the text around the matches, HTML-escaped, each match wrapped
in <mark>. Escaping comes first, marking second, so text from a lesson can never inject
markup: only the <mark> tags we add are HTML."""

import html
import re
from collections.abc import Callable, Iterable, Sequence

WINDOW_WORDS = 30
CONTEXT_WORDS = 3  # words shown before the first match of the window
WINDOW_SPAN = 6 * WINDOW_WORDS  # characters: about one window of English text
_WORD = re.compile(r"[^\W_]+")
# PostgreSQL's ts_headline marks matches with these; they cannot occur in indexed text
# (`clean` strips them) and html.escape leaves them alone.
START, STOP = "\x02", "\x03"


def clean(text: str) -> str:
    """Text as indexed: without the private marker characters."""
    return text.replace(START, " ").replace(STOP, " ")


class Matcher:
    """Does a word of a text match the query? `candidates` finds, in C, the few words that
    might (they start like a query stem or prefix), so a snippet never stems every word of
    a long text in Python."""

    def __init__(self, accept: Callable[[str], bool], heads: Iterable[str]) -> None:
        self._accept = accept
        alternatives = "|".join(sorted({re.escape(h) for h in heads if h}, key=len, reverse=True))
        self.candidates = re.compile(
            rf"(?<![^\W_])(?:{alternatives})[^\W_]*" if alternatives else r"(?!)", re.IGNORECASE
        )

    def __call__(self, word: str) -> bool:
        return self._accept(word)


def make_snippet(texts: Sequence[str], matches: Callable[[str], bool]) -> str:
    """A window of WINDOW_WORDS words around the densest run of matches, from the first of
    `texts` that has any match (else the start of the first non-empty text)."""
    pattern = getattr(matches, "candidates", _WORD)
    chosen, hits = "", []
    for text in texts:
        if not text:
            continue
        found = [m.start() for m in pattern.finditer(text) if matches(m.group().lower())]
        if found:
            chosen, hits = text, found
            break
        if not chosen:
            chosen = text
    if not chosen:
        return ""
    anchor = hits[_densest(hits)] if hits else 0
    low = max(0, anchor - 40 * CONTEXT_WORDS)
    while low > 0 and (chosen[low - 1].isalnum()):
        low -= 1  # never start inside a word
    words = list(_WORD.finditer(chosen, low, anchor + 12 * WINDOW_WORDS))
    if not words:
        return html.escape(chosen[:200])
    first = next((i for i, m in enumerate(words) if m.end() > anchor), 0)
    start = max(0, first - CONTEXT_WORDS) if hits else 0
    window = words[start : start + WINDOW_WORDS]
    begin, end = window[0].start(), window[-1].end()
    parts = ["…"] if _WORD.search(chosen, 0, begin) else []
    cursor = begin
    for m in pattern.finditer(chosen, begin, end):  # escape runs of text, not every word
        if matches(m.group().lower()):
            parts.append(html.escape(chosen[cursor : m.start()]))
            parts.append(f"<mark>{html.escape(m.group())}</mark>")
            cursor = m.end()
    parts.append(html.escape(chosen[cursor:end]))
    if _WORD.search(chosen, end):
        parts.append("…")
    return "".join(parts)


def _densest(starts: Sequence[int]) -> int:
    """Index of the match after which the most matches fall within one window's span."""
    best, best_i, j = 0, 0, 0
    for i, at in enumerate(starts):
        while j < len(starts) and starts[j] - at < WINDOW_SPAN:
            j += 1
        if j - i > best:
            best, best_i = j - i, i
    return best_i


def mark_headline(headline: str) -> str:
    """Turn a ts_headline fragment delimited by START/STOP into escaped, marked HTML."""
    escaped = html.escape(headline)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")
