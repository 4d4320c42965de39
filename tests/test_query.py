"""The search-box query language and its limits (Whoosh's parser is never used)."""

from __future__ import annotations

import pytest
from corpus import write_jsonl

from search.errors import QueryError
from search.indexer import build_index
from search.query import MAX_EXPANSIONS, compile_query, parse
from search.searcher import search
from search.store import IndexHandle


def describe(text):
    parsed = parse(text)
    return (
        [(c.kind, c.text) for c in parsed.clauses],
        [(c.kind, c.text) for c in parsed.excluded],
        [(c.kind, c.text, c.field_name) for c in parsed.filters],
    )


def test_words_phrases_exclusions_or_and_fields():
    assert describe('putin "cessate il fuoco" -trump source:ansa Kiev OR Kyiv negoz*') == (
        [
            ("word", "putin"),
            ("phrase", "cessate il fuoco"),
            ("any", "Kiev OR Kyiv"),
            ("prefix", "negoz"),
        ],
        [("word", "trump")],
        [("word", "ansa", "source")],
    )


def test_italian_field_aliases_and_quoted_field_values():
    assert describe('autore:"Giorgia Audiello" fonte:ansa titolo:guerra')[2] == [
        ("phrase", "Giorgia Audiello", "author"),
        ("word", "ansa", "source"),
        ("word", "guerra", "title"),
    ]


def test_unknown_fields_and_operator_debris_are_plain_words():
    assert describe("ore 5:30 http://x.it")[0] == [
        ("word", "ore"),
        ("word", "5:30"),
        ("word", "http //x.it"),
    ]
    # Inputs that make Whoosh's QueryParser raise or misbehave are just words here.
    assert describe("a NOT OR b") == ([("any", "a OR b")], [], [])  # the dangling NOT is dropped
    assert describe("OR AND NOT") == ([], [], [])
    assert describe("[a TO z]")[0] == [("word", "[a"), ("word", "TO"), ("word", "z]")]


def test_typographic_quotes_and_unclosed_quotes_make_phrases():
    assert describe("“presidente della repubblica”")[0] == [
        ("phrase", "presidente della repubblica")
    ]
    assert describe('"cessate il fuoco')[0] == [("phrase", "cessate il fuoco")]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("*a*", "`*a*`: wildcards work only at the end of a word"),
        ("*putin", "`*putin`: wildcards work only at the end of a word"),
        ("pu?in", "`pu?in`: wildcards work only at the end of a word"),
        ("go*", "`go*`: a prefix search needs at least 3 letters before the `*`."),
        ('"negoz* in corso"', "Wildcards do not work inside"),
        ("x" * 501, "The query is 501 characters long; the limit is 500."),
        (" ".join(["parola"] * 65), "The query has more than 64 words"),
    ],
)
def test_queries_refused_with_a_message(query, message):
    with pytest.raises(QueryError) as err:
        parse(query)
    assert str(err.value).startswith(message)


def test_fuzzy_and_range_syntax_are_not_operators():
    # "ro~2" would be a fuzzy query in Whoosh (seconds on a large index): here it is words.
    assert describe("ro~2")[0] == [("word", "ro~2")]


def test_prefix_expansion_is_bounded(tmp_path):
    articles = [
        {"id": f"d{i}", "title": "", "body": f"parola negoz{i:03d}x e altro testo"}
        for i in range(MAX_EXPANSIONS + 30)
    ]
    build_index([write_jsonl(tmp_path / "n.jsonl", articles)], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    with handle.searcher() as searcher:
        compiled = compile_query(parse("negoz*"), searcher.reader())
    assert len(compiled.clauses[0].subqueries) == MAX_EXPANSIONS
    assert search(handle, "negoz*").total == MAX_EXPANSIONS
    handle.close()
