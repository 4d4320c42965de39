"""SearchRequest: one vocabulary for a search, from URL parameters and back, validated once; and the
filters it carries as the engine applies them (OR within a filter, AND across filters)."""

from __future__ import annotations

import datetime

import pytest
from werkzeug.datastructures import MultiDict

from search.errors import QueryError
from search.request import FILTERS, SearchRequest, from_params
from search.searcher import search
from search.store import IndexHandle


def test_from_params_reads_repeated_filters_and_normalises():
    params = MultiDict(
        [
            ("q", "  manovra  "),
            ("source", "Ansa"),
            ("source", " Corriere  della   Sera "),
            ("source", "Ansa"),  # a repeat counts once
            ("source", ""),
            ("year", "2024"),
            ("from", "2024-02"),
            ("to", "2024"),
            ("sort", "-date"),
            ("page", "3"),
            ("size", "20"),
        ]
    )
    request = from_params(params)
    assert request == SearchRequest(
        query="manovra",
        sources=("ANSA", "Corriere della Sera"),  # canonical names
        years=("2024",),
        date_from=datetime.date(2024, 2, 1),
        date_to=datetime.date(2024, 12, 31),
        sort="-date",
        page=3,
        size=20,
    )
    assert request.to_params() == [
        ("q", "manovra"),
        ("source", "ANSA"),
        ("source", "Corriere della Sera"),
        ("year", "2024"),
        ("from", "2024-02-01"),
        ("to", "2024-12-31"),
        ("sort", "-date"),
        ("size", "20"),
        ("page", "3"),
    ]
    assert from_params(MultiDict(request.to_params())) == request


def test_defaults_are_left_out_of_urls_and_plain_dicts_work():
    assert SearchRequest("x").to_params() == [("q", "x")]
    assert SearchRequest().to_params() == []
    request = from_params({"q": "x", "author": ["A", "B"], "page": "2"})
    assert request.authors == ("A", "B") and request.page == 2
    assert request.to_params(page=False) == [("q", "x"), ("author", "A"), ("author", "B")]


def test_one_filter_table_names_every_filter():
    assert [(f.name, f.attr, f.multi) for f in FILTERS] == [
        ("source", "sources", True),
        ("author", "authors", True),
        ("year", "years", True),
        ("from", "date_from", False),
        ("to", "date_to", False),
    ]
    request = SearchRequest(sources="Ansa", date_to="2024-03-31")
    assert request.filter_values("source") == ("ANSA",)  # any spelling: the canonical name
    assert request.filter_values("to") == ("2024-03-31",)
    assert request.filter_values("author") == ()
    assert request.has_filters and not SearchRequest("x").has_filters


@pytest.mark.parametrize(
    ("fields", "reason", "details"),
    [
        ({"page": 0}, "number_range", {"name": "page", "maximum": 1000, "value": "0"}),
        ({"page": "abc"}, "number_range", {"name": "page", "maximum": 1000, "value": "abc"}),
        ({"size": 51}, "number_range", {"name": "size", "maximum": 50, "value": "51"}),
        ({"sort": "best"}, "bad_sort", {"value": "best"}),
        ({"years": ["2024", "24"]}, "bad_year", {"value": "24"}),
        ({"date_from": "16/02/2024"}, "bad_date", {"name": "from", "value": "16/02/2024"}),
        ({"date_to": "2024-13-01"}, "bad_date", {"name": "to", "value": "2024-13-01"}),
        ({"date_from": "2024-03", "date_to": "2024-02"}, "dates_reversed", {}),
    ],
)
def test_bad_values_raise_query_errors_with_reasons(fields, reason, details):
    with pytest.raises(QueryError) as err:
        SearchRequest("x", **fields)
    assert (err.value.code, err.value.reason, err.value.details) == ("bad_query", reason, details)


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    from webfixtures import build_corpus_index

    handle = IndexHandle(build_corpus_index(tmp_path_factory.mktemp("request")))
    yield handle
    handle.close()


def ids(result) -> set[str]:
    return {hit.id for hit in result.hits}


def test_values_of_one_filter_are_alternatives(handle):
    assert ids(search(handle, SearchRequest("manovra", sources=["Ansa"]))) == {"a08", "a11"}
    assert ids(search(handle, SearchRequest("manovra", sources=["Ansa", "Repubblica"]))) == {
        "a02",
        "a08",
        "a11",
    }
    both_years = SearchRequest(sort="-date", years=["2023", "2025"])
    assert ids(search(handle, both_years, collapse=False)) == {
        "a01",
        "a02",
        "a05",
        "a06",
        "a08",
        "a09",
        "a12",
    }


def test_different_filters_must_all_hold(handle):
    request = SearchRequest(sort="-date", sources=["Ansa", "Corriere"], years=["2024"])
    assert ids(search(handle, request)) == {"a04", "a11"}
    request = SearchRequest("governo", sources=["Ansa", "Corriere"], authors=["Mario Rossi"])
    assert ids(search(handle, request)) == {"a01"}


def test_the_text_and_keywords_form_is_the_same_request(handle):
    by_keywords = search(handle, "manovra", source=["Ansa", "Repubblica"], sort="date", size=2)
    by_request = search(
        handle, SearchRequest("manovra", sources=("Ansa", "Repubblica"), sort="date", size=2)
    )
    assert [h.id for h in by_keywords.hits] == [h.id for h in by_request.hits] == ["a11", "a08"]
    assert (by_keywords.total, by_keywords.size) == (by_request.total, 2)


def test_histogram_counts_matches_per_month_and_the_undated(tmp_path):
    from webfixtures import ARTICLES, build_corpus_index

    undated = {**ARTICLES[0], "id": "u1", "date": None}
    handle = IndexHandle(build_corpus_index(tmp_path, [*ARTICLES, undated]))
    try:
        result = search(handle, "manovra")
        assert [(m.value, m.count) for m in result.histogram.months] == [
            ("2024-12", 1),
            ("2025-04", 3),
            ("2025-05", 1),
        ]
        assert result.histogram.undated == 1
        assert [(y.value, y.count) for y in result.histogram.years()] == [
            ("2024", 1),
            ("2025", 4),
        ]
        assert sum(m.count for m in result.histogram.months) + 1 == result.total
        narrowed = search(handle, SearchRequest("manovra", date_from="2025-04", date_to="2025-04"))
        assert narrowed.total == 3 and narrowed.histogram.undated == 0
    finally:
        handle.close()


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"page": ""}, "number_range"),  # given but empty: refused, as the OpenAPI type says
        ({"size": ""}, "number_range"),
        ({"sort": ""}, "bad_sort"),
        ({"q": "a" * 501}, "query_too_long"),  # counted as given
        ({"from": "0000"}, "bad_date"),
    ],
)
def test_url_parameters_are_checked_as_given(params, reason):
    with pytest.raises(QueryError) as err:
        from_params(params)
    assert err.value.reason == reason


def test_empty_filters_mean_no_filter_and_december_ends_on_the_31st():
    assert from_params({"q": "x", "from": "", "to": "", "year": "", "source": ""}) == (
        SearchRequest("x")
    )
    assert from_params({"to": "9999-12"}).date_to == datetime.date(9999, 12, 31)
    assert from_params({"to": "2024-02"}).date_to == datetime.date(2024, 2, 29)
