"""Choosing the key words of a long query for PostgreSQL, which has no idf of its own."""

from hindsight.search.pg_focus import KEY_TERMS, SHORT_QUERY_TERMS, key_terms, plain_words
from hindsight.search.query import parse


def test_short_or_fielded_or_operator_queries_are_left_alone():
    assert plain_words(parse("valve failure during loading")) is None
    assert plain_words(parse("title:valve " + " ".join(f"w{n}x" for n in range(10)))) is None
    assert plain_words(parse("valve AND " + " ".join(f"w{n}x" for n in range(10)))) is None
    prose = " ".join(f"word{n}x" for n in range(SHORT_QUERY_TERMS + 1))
    assert plain_words(parse(prose)) is not None
    assert plain_words(parse(" ".join(f"word{n}x" for n in range(SHORT_QUERY_TERMS)))) is None


def test_rare_words_said_often_are_kept_and_common_or_unknown_ones_dropped():
    words = ["project", "team", "cryostat", "cryostat", "torque", "weld", "unknownword"]
    words += [f"common{n}" for n in range(40)]
    counts = {"project": 900, "team": 800, "cryostat": 3, "torque": 12, "weld": 40}
    counts |= {f"common{n}": 500 + n for n in range(40)}
    focus = key_terms(words, counts, total_docs=1000)
    assert focus is not None
    chosen = [term.text for term in focus.node.should]
    assert chosen[:3] == ["cryostat", "torque", "weld"]
    assert "unknownword" not in chosen and len(chosen) == KEY_TERMS
    assert focus.weights["cryostat"] > focus.weights["weld"] > focus.weights["common0"]


def test_nothing_known_means_no_focus():
    assert key_terms(["alpha", "beta"], {}, total_docs=10) is None
