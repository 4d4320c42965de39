"""Hostile queries: hypothesis over the search core, schemathesis over the OpenAPI document.

Whatever the query or parameters, the core answers or raises QueryError (a 400 with a message),
and the API never answers 5xx; its responses match the schemas it publishes. Example counts are
bounded so CI stays quick (FUZZ_EXAMPLES raises them for a longer local run).
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from webfixtures import build_corpus_index

from search.errors import ArticleNotFoundError, QueryError
from search.searcher import SORTS, get_article, search
from search.store import IndexHandle
from web import create_app

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Pieces of the query language and of hostile input, glued at random.
TOKENS = [
    "manovra", "governo", "città", "perché", "dell'Ucraina", "quell’anno", "Meloni", "a",
    "OR", "AND", "NOT", "or", "-", "--", "+", '"', "'", "*", "?", "~", "^", "\\", "/", "(", ")",
    "[", "]", "{", "}", ":", "fonte:", "source:", "author:", "autore:", "title:", "titolo:",
    "id:", "date:", "man*", "ma*", "*ovra", "m?nov", "TO", "[a TO z]", "<script>", "&amp;",
    "\x00", "\u202e", "\ufffe", "\ud800", "🙂", "٣", "ﬁ", " ", "\t", "\n", "x" * 300,
]  # fmt: skip
QUERIES = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=12).map("".join),
    st.text(max_size=80),
)
OPTIONAL_TEXT = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["Ansa", "2024"]))


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    handle = IndexHandle(build_corpus_index(tmp_path_factory.mktemp("fuzz")))
    yield handle
    handle.close()


def test_search_core_answers_or_says_why(handle):
    counts = {"answered": 0, "refused": 0}

    @FUZZ
    @given(
        query=QUERIES,
        page=st.one_of(st.just(1), st.integers(-2, 1002)),
        size=st.one_of(st.just(10), st.integers(-1, 52)),
        sort=st.one_of(st.just("relevance"), st.sampled_from([*SORTS, "x"])),
        source=st.one_of(st.none(), OPTIONAL_TEXT),
        author=st.one_of(st.none(), OPTIONAL_TEXT),
        year=st.one_of(st.none(), OPTIONAL_TEXT),
        date_from=st.one_of(st.none(), OPTIONAL_TEXT),
        date_to=st.one_of(st.none(), OPTIONAL_TEXT),
    )
    def run(query, page, size, sort, source, author, year, date_from, date_to):
        try:
            result = search(
                handle, query, page=page, size=size, sort=sort, source=source, author=author,
                year=year, date_from=date_from, date_to=date_to,
            )  # fmt: skip
        except QueryError as error:
            assert str(error).strip()
            counts["refused"] += 1
            return
        json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")
        counts["answered"] += 1

    run()
    print(f"\ncore fuzz: {sum(counts.values())} cases, {counts}, 0 exceptions")


def test_article_lookup_answers_or_404s(handle):
    @FUZZ
    @given(article_id=st.text(max_size=40), query=st.one_of(st.none(), QUERIES))
    def run(article_id, query):
        try:
            get_article(handle, article_id, query=query)
        except (ArticleNotFoundError, QueryError):
            pass

    run()


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    app = create_app({"INDEX_DIR": str(build_corpus_index(tmp_path_factory.mktemp("api")))})
    yield app
    app.extensions["rassegna"].close()


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)


def operations(api_schema):
    return [result.ok() for result in api_schema.get_all_operations()]


# Only the search has constrained parameters (an article id is any string).
PARAMETERISED = ("/api/search",)


# (The schemathesis pytest plugin does not run under pytest 9: strategies are used directly.)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_from_its_openapi_document(api_schema, mode):
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    if mode == GenerationMode.NEGATIVE:
        checks.append(negative_data_rejection)  # what the document forbids gets a 4xx
    counts = {"cases": 0, "5xx": 0}
    for operation in operations(api_schema):
        if mode == GenerationMode.NEGATIVE and operation.path not in PARAMETERISED:
            continue  # nothing to break in a request without parameters

        @settings(
            max_examples=max(20, EXAMPLES // 4),
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            response = case.call()
            counts["cases"] += 1
            counts["5xx"] += response.status_code >= 500
            case.validate_response(response, checks=checks)

        run()
    assert counts["5xx"] == 0
    print(f"\nschemathesis {mode.value}: {counts['cases']} cases, {counts['5xx']} 5xx")
