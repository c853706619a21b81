"""Snippets: a short window of the text around the matches, HTML-escaped, each match wrapped
in <mark>. Escaping comes first, marking second, so text from a lesson can never inject
markup: only the <mark> tags we add are HTML."""

import html
import re
from collections.abc import Callable, Sequence

WINDOW_WORDS = 30
_WORD = re.compile(r"[^\W_]+")
# PostgreSQL's ts_headline marks matches with these; they cannot occur in indexed text
# (`clean` strips them) and html.escape leaves them alone.
START, STOP = "\x02", "\x03"


def clean(text: str) -> str:
    """Text as indexed: without the private marker characters."""
    return text.replace(START, " ").replace(STOP, " ")


def make_snippet(texts: Sequence[str], matches: Callable[[str], bool]) -> str:
    """The window of WINDOW_WORDS words with the most matches, from the first of `texts`
    that has any match (else the start of the first non-empty text)."""
    chosen, words, flags = "", [], []
    for text in texts:
        if not text:
            continue
        found = list(_WORD.finditer(text))
        marked = [matches(m.group().lower()) for m in found]
        if any(marked):
            chosen, words, flags = text, found, marked
            break
        if not chosen:
            chosen, words, flags = text, found, marked
    if not words:
        return html.escape(chosen[:200])
    start = _best_window(flags)
    end = min(len(words), start + WINDOW_WORDS)
    parts = ["…"] if start > 0 else []
    cursor = words[start].start()
    for m, hit in zip(words[start:end], flags[start:end], strict=True):
        parts.append(html.escape(chosen[cursor : m.start()]))
        word = html.escape(m.group())
        parts.append(f"<mark>{word}</mark>" if hit else word)
        cursor = m.end()
    if end < len(words):
        parts.append("…")
    return "".join(parts)


def _best_window(flags: Sequence[bool]) -> int:
    """Start of the window with the most matches; a few words of context before the first."""
    if len(flags) <= WINDOW_WORDS or not any(flags):
        return 0
    best, best_start = -1, 0
    count = sum(flags[:WINDOW_WORDS])
    for start in range(len(flags) - WINDOW_WORDS + 1):
        if start:
            count += flags[start + WINDOW_WORDS - 1] - flags[start - 1]
        if count > best:
            best, best_start = count, start
    first = next(i for i in range(best_start, len(flags)) if flags[i])
    return max(0, min(best_start, first - 3))


def mark_headline(headline: str) -> str:
    """Turn a ts_headline fragment delimited by START/STOP into escaped, marked HTML."""
    escaped = html.escape(headline)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")
