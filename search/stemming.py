"""English stemming outside any index: the same Snowball stemmer as tantivy's `en_stem`, for
code that must group words as the default index does (due diligence's key terms)."""

from functools import lru_cache

import tantivy

_ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)


@lru_cache(maxsize=100_000)
def english_stem(word: str) -> str:
    """The stem of one word ("suppliers" -> "supplier"); the word itself if it has none."""
    tokens = _ANALYZER.analyze(word)
    return tokens[0] if tokens else word
