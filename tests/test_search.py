"""The search core on a real on-disk index of a small hand-written corpus."""

from __future__ import annotations

import datetime

import pytest
from corpus import SEARCH_RESPONSE_KEYS, write_jsonl

from search.errors import ArticleNotFoundError, QueryError
from search.indexer import build_index
from search.searcher import get_article, index_stats, related_articles, search
from search.store import IndexHandle


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    build_index([write_jsonl(root / "news.jsonl")], root / "index")
    h = IndexHandle(root / "index")
    yield h
    h.close()


def ids(result):
    return [hit.id for hit in result.hits]


def test_quoted_phrase_matches_only_the_phrase_as_written(handle):
    assert ids(search(handle, '"presidente della repubblica"')) == ["a1"]


def test_plain_words_rank_articles_with_all_of_them_first(handle):
    result = search(handle, "presidente repubblica")
    # a2 has "presidente e repubblica": the stop word between them does not matter here.
    assert set(ids(result)[:2]) == {"a1", "a2"}
    assert set(ids(result)[2:]) == {"a3", "a5"}  # "presidente" alone: partial matches after


def test_exact_name_in_quotes_does_not_wade_through_melone(handle):
    assert ids(search(handle, '"Meloni"')) == ["a3"]
    # Unquoted, stemming conflates Meloni and melone: both articles come back.
    assert set(ids(search(handle, "meloni"))) == {"a3", "a4"}


def test_stemmed_search_highlights_inflected_forms(handle):
    result = search(handle, "negoziato")
    assert set(ids(result)) == {"a1", "a3", "a5", "a6"}
    snippets = {hit.id: " ".join(hit.snippets) for hit in result.hits}
    assert "<mark>negoziati</mark>" in snippets["a1"]
    assert "<mark>negoziare</mark>" in snippets["a3"]
    assert "<mark>negoziato</mark>" in snippets["a5"]


def test_accents_fold_both_ways(handle):
    assert ids(search(handle, "perché città")) == ["a7"]
    assert ids(search(handle, "perche citta")) == ["a7"]


def test_snippets_escape_article_html(handle):
    hit = search(handle, "lettore script").hits[0]
    assert hit.id == "a6"
    text = " ".join(hit.snippets)
    assert "<script>" not in text
    assert "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt;" in text
    assert "&amp;" in text and "&#x27;apici&#x27;" in text


def test_title_only_match_shows_the_escaped_lead(handle):
    hit = search(handle, "banane").hits[0]
    assert hit.id == "a2"
    assert hit.snippets == [
        "Un presidente e repubblica sono parole che qui compaiono vicine ma non in sequenza."
    ]
    assert hit.title_html == "Il presidente e la Repubblica delle <mark>banane</mark>"


def test_all_query_words_rank_before_partial_matches(handle):
    # a5 mentions Zelensky twice but not "Quirinale"; a1 has "presidente" once and "Quirinale".
    result = search(handle, "presidente Quirinale")
    assert ids(result)[0] == "a1"


def test_long_pasted_query_still_returns_best_partial_match(handle):
    result = search(handle, "Zelensky chiede a Bruxelles carri armati e munizioni subito")
    assert ids(result)[0] == "a5"


def test_exclusion_or_and_field_filters(handle):
    assert set(ids(search(handle, "presidente -ucraino"))) == {"a1", "a2", "a3"}
    assert set(ids(search(handle, "presidente NOT ucraino"))) == {"a1", "a2", "a3"}
    assert set(ids(search(handle, "Meloni OR Zelensky"))) == {"a3", "a4", "a5"}
    assert set(ids(search(handle, '"Meloni" OR "Zelensky"'))) == {"a3", "a5"}
    assert set(ids(search(handle, "presidente source:ansa"))) == {"a1", "a3", "a5"}
    assert set(ids(search(handle, 'author:"anna bianchi"'))) == {"a2", "a5"}
    assert ids(search(handle, "title:decreto")) == ["a1"]
    assert ids(search(handle, 'title:"presidente della repubblica"')) == ["a1"]


def test_prefix_search_expands_unstemmed_words(handle):
    assert set(ids(search(handle, "negoz*"))) == {"a1", "a3", "a5", "a6"}


def test_facets_count_the_whole_result_set(handle):
    result = search(handle, "presidente", size=1)
    assert result.total == 4
    assert len(result.hits) == 1
    assert [(v.value, v.count) for v in result.facets["source"]] == [("ANSA", 3), ("Il Post", 1)]
    assert [(v.value, v.count) for v in result.facets["year"]] == [("2024", 3), ("2023", 1)]
    assert [(v.value, v.count) for v in result.facets["author"]] == [
        ("Anna Bianchi", 2),
        ("Mario Rossi", 2),
    ]


def test_filters_by_source_author_year_and_dates(handle):
    assert set(ids(search(handle, "presidente", source="ANSA"))) == {"a1", "a3", "a5"}
    assert set(ids(search(handle, "presidente", author="Anna Bianchi"))) == {"a2", "a5"}
    assert set(ids(search(handle, "presidente", year="2024"))) == {"a1", "a3", "a5"}
    assert set(ids(search(handle, "presidente", date_from="2024-01-06"))) == {"a1", "a3"}
    assert set(ids(search(handle, "presidente", date_to="2024-01-05"))) == {"a2", "a5"}
    assert ids(search(handle, "presidente", date_from="2024-02", date_to="2024-02")) == ["a1"]


def test_sort_by_date_puts_undated_articles_last(handle):
    newest = search(handle, "", sort="-date")
    assert ids(newest) == ["a3", "a1", "a5", "a2", "a4", "a6", "a7"]
    oldest = search(handle, "", sort="date")
    assert ids(oldest) == ["a6", "a4", "a2", "a5", "a1", "a3", "a7"]
    assert newest.hits[0].date == datetime.date(2024, 3, 10)


def test_pagination(handle):
    first = search(handle, "", sort="-date", size=3, page=1)
    third = search(handle, "", sort="-date", size=3, page=3)
    assert first.total == third.total == 7
    assert first.pages == 3
    assert ids(first) == ["a3", "a1", "a5"]
    assert ids(third) == ["a7"]


def test_did_you_mean(handle):
    result = search(handle, "Zelenksy Bruxelles")
    assert result.suggestion == "Zelensky Bruxelles"
    assert search(handle, "Zelensky").suggestion is None


def test_json_shape(handle):
    data = search(handle, "Zelensky", size=1).to_dict()
    assert list(data) == SEARCH_RESPONSE_KEYS
    hit = data["hits"][0]
    assert {k: hit[k] for k in ("id", "title", "url", "source", "author", "date")} == {
        "id": "a5",
        "title": "Zelensky a Bruxelles",
        "url": None,
        "source": "ANSA",
        "author": "Anna Bianchi",
        "date": "2024-01-05",
    }
    assert set(hit) == {
        "id",
        "title",
        "url",
        "source",
        "author",
        "date",
        "score",
        "snippets",
        "similar",
    }
    assert list(data["facets"]) == ["source", "author", "year"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 51}, "`size` must be a whole number from 1 to 50; got '51'."),
        ({"page": 0}, "`page` must be a whole number from 1 to 1000; got '0'."),
        ({"sort": "score"}, "`sort` must be one of relevance, date, -date; got 'score'."),
        ({"date_from": "16/02/2024"}, "`from` must be a date like 2024-02-16"),
        ({"date_from": "2024-03-01", "date_to": "2024-01-01"}, "`from` is after `to`"),
    ],
)
def test_bad_parameters_raise_query_errors(handle, kwargs, message):
    with pytest.raises(QueryError) as err:
        search(handle, "presidente", **kwargs)
    assert str(err.value).startswith(message)


def test_article_view_highlights_and_relates(handle):
    article = get_article(handle, "a1", query="negoziato")
    assert article.title == "Il presidente della Repubblica firma il decreto"
    assert article.paragraphs_html == [
        "Il presidente della Repubblica ha firmato ieri il decreto sui <mark>negoziati</mark>.",
        "Il Quirinale ha confermato la firma in serata.",
    ]
    assert article.date == datetime.date(2024, 2, 16)
    assert "a1" not in [r.id for r in article.related]
    assert article.related[0].id == "a2"  # shares "presidente", "repubblica"


def test_related_and_missing_articles(handle):
    assert related_articles(handle, "a3", limit=2)
    with pytest.raises(ArticleNotFoundError, match="No article with id 'nope'"):
        get_article(handle, "nope")


def test_stats(handle):
    stats = index_stats(handle)
    assert stats.doc_count == 7
    assert (stats.date_min, stats.date_max) == (
        datetime.date(2021, 11, 11),
        datetime.date(2024, 3, 10),
    )
    assert [(v.value, v.count) for v in stats.sources] == [
        ("ANSA", 3),
        ("Il Post", 3),
        ("Gazzetta di Modena", 1),
    ]
    assert stats.size_bytes > 0
