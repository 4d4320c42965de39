"""The JSON API through Flask's test client: bodies, errors, CORS and the OpenAPI document."""

from __future__ import annotations

import json

import jsonschema
import pytest
from corpus import SEARCH_RESPONSE_KEYS
from webfixtures import XSS

from search.searcher import get_article, index_stats, search
from search.store import IndexHandle
from web import create_app


@pytest.fixture
def handle(index_dir):
    handle = IndexHandle(index_dir)
    yield handle
    handle.close()


@pytest.fixture
def openapi(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def validate(document: dict, schema_name: str, instance) -> None:
    """Validate ``instance`` against a component schema, resolving #/components refs."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(instance)


def without_timing(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "took_ms"}


# ----------------------------------------------------------------------------- search


def test_search_is_exactly_the_engine_result(client, handle):
    response = client.get("/api/search?q=manovra+governo&size=3&sort=relevance")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    expected = search(handle, "manovra governo", size=3).to_dict()
    assert without_timing(response.get_json()) == without_timing(expected)


def test_search_body(client):
    body = client.get("/api/search?q=manovra&source=Ansa&sort=-date").get_json()
    assert list(body) == SEARCH_RESPONSE_KEYS
    assert body["query"] == "manovra"
    assert body["total"] == 2
    assert (body["page"], body["size"], body["suggestion"]) == (1, 10, None)
    assert [hit["id"] for hit in body["hits"]] == ["a08", "a11"]
    assert body["hits"][0] == {
        "id": "a08",
        "title": "Il governo approva la manovra finanziaria",
        "url": "https://example.org/ansa/manovra-finanziaria",
        "source": "ANSA",
        "author": "Redazione",
        "date": "2025-04-11",
        "score": 0.0,
        "snippets": [
            "Il consiglio dei ministri ha approvato la <mark>manovra</mark> finanziaria per il "
            "prossimo anno. La <mark>manovra</mark> prevede tagli alle tasse e nuovi fondi per la "
            "sanità pubblica."
        ],
        "similar": [],
    }
    # A filtered facet counts as if it were not set (other filters apply), so sources can be added.
    assert body["facets"]["source"] == [
        {"value": "ANSA", "count": 2},
        {"value": "Corriere della Sera", "count": 1},
        {"value": "Il Sole 24 Ore", "count": 1},
        {"value": "la Repubblica", "count": 1},
    ]
    assert body["histogram"] == {
        "months": [{"value": "2024-12", "count": 1}, {"value": "2025-04", "count": 1}],
        "undated": 0,
    }
    assert body["facets"]["year"] == [{"value": "2025", "count": 1}, {"value": "2024", "count": 1}]


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        ("q=manovra&author=Giulia+Bianchi", ["a02"]),
        ("q=manovra&year=2024", ["a11"]),
        ("q=manovra&from=2025-04-12&sort=date", ["a02", "a06"]),
        ("q=manovra&to=2025-04&sort=-date", ["a02", "a01", "a08", "a11"]),
        ("q=manovra&to=2025-03", ["a11"]),
        ("q=manovra&sort=-date&size=2&page=2", ["a01", "a08"]),
        ("q=manovra&sort=-date&size=2&page=9", []),
    ],
)
def test_search_parameters(client, args, ids):
    response = client.get("/api/search?" + args)
    assert response.status_code == 200
    assert [hit["id"] for hit in response.get_json()["hits"]] == ids


def test_search_suggestion(client):
    assert client.get("/api/search?q=manovr").get_json()["suggestion"] == "manovra"


def test_snippets_keep_script_escaped(client):
    body = client.get("/api/search?q=attacco").get_json()
    snippet = body["hits"][0]["snippets"][0]
    assert XSS not in snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet


REASONS = {
    "page": "number_range",
    "size": "number_range",
    "sort": "bad_sort",
    "from": "bad_date",
    "to": "bad_date",
    "year": "bad_year",
}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("page=abc", "`page` must be a whole number from 1 to 1000; got 'abc'."),
        ("page=0", "`page` must be a whole number from 1 to 1000; got '0'."),
        ("page=-1", "`page` must be a whole number from 1 to 1000; got '-1'."),
        ("page=1.5", "`page` must be a whole number from 1 to 1000; got '1.5'."),
        (
            "page=99999999999999999999",
            "`page` must be a whole number from 1 to 1000; got '99999999999999999999'.",
        ),
        ("size=51", "`size` must be a whole number from 1 to 50; got '51'."),
        ("size=ten", "`size` must be a whole number from 1 to 50; got 'ten'."),
        ("sort=best", "`sort` must be one of relevance, date, -date; got 'best'."),
        (
            "from=2024-13-01",
            "`from` must be a date like 2024-02-16 (or 2024, 2024-02); got '2024-13-01'.",
        ),
        (
            "to=yesterday",
            "`to` must be a date like 2024-02-16 (or 2024, 2024-02); got 'yesterday'.",
        ),
        ("from=2025-01-01&to=2024-01-01", "`from` is after `to`; swap the two dates."),
        ("year=25", "`year` must be a year like 2024; got '25'."),
    ],
)
def test_bad_parameters_are_400(client, args, message):
    reason = REASONS[args.split("=")[0]] if "&" not in args else "dates_reversed"
    response = client.get("/api/search?q=manovra&" + args)
    assert response.status_code == 400
    assert response.get_json() == {
        "error": {"code": "bad_query", "reason": reason, "message": message}
    }


def test_over_long_pasted_text_is_answered_with_the_note(client, openapi):
    # 70 words: the first 64 are searched; "Juventus" (word 70) is not.
    text = "manovra del governo " * 23 + "Juventus"
    response = client.get("/api/search", query_string={"q": text})
    assert response.status_code == 200
    body = response.get_json()
    validate(openapi, "SearchResult", body)
    assert body["truncated"] == "words"
    assert body["query"] == " ".join(text.split()[:64])
    assert "a05" not in [hit["id"] for hit in body["hits"]]  # the Juventus article
    assert body["hits"][0]["id"] in ("a01", "a02", "a08")
    long_word = client.get("/api/search", query_string={"q": "a" * 600}).get_json()
    assert (long_word["truncated"], len(long_word["query"])) == ("characters", 500)


def test_typo_corrections_are_in_the_api(client, openapi):
    body = client.get("/api/search?q=Governno").get_json()
    validate(openapi, "SearchResult", body)
    assert body["corrections"] == [{"typed": "Governno", "searched": ["Governo"]}]
    right = client.get("/api/search?q=Governo").get_json()
    assert len(body["hits"]) == 5
    assert [hit["id"] for hit in body["hits"]] == [hit["id"] for hit in right["hits"]]


def test_malformed_synonyms_file_is_a_503_that_says_which_line(client, tmp_path, monkeypatch):
    bad = tmp_path / "synonyms.txt"
    bad.write_text("Kiev, Kyiv\nOdessa\n", encoding="utf-8")
    monkeypatch.setenv("RASSEGNA_SYNONYMS", str(bad))
    response = client.get("/api/search?q=manovra")
    assert response.status_code == 503
    assert response.get_json() == {
        "error": {
            "code": "bad_config",
            "reason": "bad_config",
            "message": f"{bad}, line 2: a group needs at least two different spellings "
            "separated by commas (like `Kiev, Kyiv`); got 'Odessa'.",
        }
    }


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unclosed phrase',
        "-",
        "OR",
        "NOT",
        "a OR",
        "*",
        "ab*",
        "fonte:",
        'title:""',
        "\x00\x01",
        "((()))",
        "%",
        "autore:-",
        "-manovra",
        "manovra -manovra",
        "ü" * 100,
    ],
)
def test_odd_queries_are_answered(client, query):
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 200
    assert "hits" in response.get_json()


# ----------------------------------------------------------------------------- articles


def test_article_is_exactly_the_engine_view(client, handle):
    response = client.get("/api/articles/a04")
    assert response.status_code == 200
    body = response.get_json()
    assert body == get_article(handle, "a04").to_dict()
    assert XSS in body["body"]  # JSON carries the text as written; clients escape
    related = client.get("/api/articles/a01").get_json()["related"]
    assert related[0]["id"] == "a08"
    assert set(related[0]) == {"id", "title", "source", "date", "score"}


def test_unknown_article_is_404(client):
    response = client.get("/api/articles/nope")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {
            "code": "not_found",
            "reason": "not_found",
            "message": "No article with id 'nope' in the index.",
        }
    }


# ----------------------------------------------------------------------------- stats, health


def test_stats(client, handle):
    body = client.get("/api/stats").get_json()
    assert body == index_stats(handle).to_dict()
    assert body["doc_count"] == 12
    assert (body["date_min"], body["date_max"]) == ("2023-09-30", "2025-05-02")


def test_healthz_and_readyz(client, handle):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {
        "status": "ready",
        "build_id": handle.manifest["build_id"],
        "doc_count": 12,
    }


def test_no_index_is_503_but_healthz_is_up(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path / "missing")})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    for url in ("/readyz", "/api/search?q=manovra", "/api/stats", "/api/articles/a01"):
        response = client.get(url)
        assert response.status_code == 503
        assert response.get_json() == {
            "error": {
                "code": "no_index",
                "reason": "no_index",
                "message": f"No index in {tmp_path / 'missing'}; run `rassegna index` first "
                "(or point --index / RASSEGNA_INDEX at an existing one).",
            }
        }


def test_unknown_endpoint_is_json_404(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_wrong_method_is_json_405(client):
    response = client.post("/api/search", data={"q": "manovra"})
    assert response.status_code == 405
    assert response.get_json() == {
        "error": {"code": 405, "message": "The method is not allowed for the requested URL."}
    }
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_unexpected_errors_are_json_500_without_details(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("web.api.index_stats", broken)
    app.logger.disabled = True  # the traceback is logged; keep the test output clean
    response = client.get("/api/stats")
    assert response.status_code == 500
    assert response.get_json() == {"error": {"code": 500, "message": "Internal server error."}}


# ----------------------------------------------------------------------------- CORS, headers


def test_no_cors_by_default(client):
    response = client.get("/api/search?q=manovra", headers={"Origin": "https://example.com"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_for_configured_origins_only(index_dir):
    app = create_app(
        {"INDEX_DIR": str(index_dir), "CORS_ORIGINS": "https://a.example, https://b.example"}
    )
    client = app.test_client()
    try:
        allowed = client.get("/api/stats", headers={"Origin": "https://b.example"})
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
        assert "Origin" in allowed.headers["Vary"]
        other = client.get("/api/stats", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other.headers
        page = client.get("/", headers={"Origin": "https://b.example"})
        assert "Access-Control-Allow-Origin" not in page.headers
        preflight = client.options("/api/search", headers={"Origin": "https://a.example"})
        assert preflight.status_code == 200
        assert preflight.headers["Access-Control-Allow-Origin"] == "https://a.example"
        assert preflight.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    finally:
        app.extensions["rassegna"].close()


def test_cors_from_environment(index_dir, monkeypatch):
    monkeypatch.setenv("RASSEGNA_CORS_ORIGINS", "*")
    monkeypatch.setenv("RASSEGNA_INDEX", str(index_dir))
    app = create_app()
    try:
        assert app.config["INDEX_DIR"] == str(index_dir)
        response = app.test_client().get("/readyz", headers={"Origin": "https://x.example"})
        assert response.status_code == 200
        api = app.test_client().get("/api/stats", headers={"Origin": "https://x.example"})
        assert api.headers["Access-Control-Allow-Origin"] == "*"
    finally:
        app.extensions["rassegna"].close()


def test_security_headers_on_api(client):
    response = client.get("/api/search?q=manovra")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# ----------------------------------------------------------------------------- OpenAPI


def test_openapi_document_is_valid_openapi_shape(openapi):
    assert openapi["openapi"].startswith("3.")
    assert set(openapi["paths"]) == {
        "/api/search",
        "/api/export",
        "/api/suggest",
        "/api/articles/{id}",
        "/api/stats",
        "/healthz",
        "/readyz",
    }
    params = [p["name"] for p in openapi["paths"]["/api/search"]["get"]["parameters"]]
    assert params == [
        "q",
        "page",
        "size",
        "sort",
        "source",
        "author",
        "year",
        "from",
        "to",
        "collapse",
    ]
    export = [p["name"] for p in openapi["paths"]["/api/export"]["get"]["parameters"]]
    assert export == ["q", "sort", "source", "author", "year", "from", "to", "format"]
    assert "10,000" in openapi["paths"]["/api/export"]["get"]["description"]
    # Every component schema is itself a valid JSON Schema.
    for schema in openapi["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(
    ("url", "status", "schema"),
    [
        ("/api/search?q=manovra+finanziaria", 200, "SearchResult"),
        ("/api/search?q=manovra&sort=-date&source=Ansa", 200, "SearchResult"),
        ("/api/search?q=zzzqqq", 200, "SearchResult"),
        ("/api/search?sort=date&year=2024", 200, "SearchResult"),
        ("/api/articles/a01", 200, "Article"),
        ("/api/articles/a09", 200, "Article"),
        ("/api/stats", 200, "Stats"),
        ("/api/suggest?q=manov", 200, "Suggestions"),
        ("/api/suggest?q=", 200, "Suggestions"),
        ("/api/export?q=manovra&format=xls", 400, "Error"),
        ("/healthz", 200, "Health"),
        ("/readyz", 200, "Ready"),
        ("/api/search?page=x", 400, "Error"),
        ("/api/articles/nope", 404, "Error"),
        ("/api/nothing", 404, "Error"),
    ],
)
def test_real_responses_match_openapi(client, openapi, url, status, schema):
    response = client.get(url)
    assert response.status_code == status
    validate(openapi, schema, response.get_json())
    path = url.split("?")[0]
    templated = "/api/articles/{id}" if path.startswith("/api/articles/") else path
    if templated in openapi["paths"]:
        declared = openapi["paths"][templated]["get"]["responses"]
        assert str(status) in declared
        ref = declared[str(status)]["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{schema}"


def test_export_rows_match_openapi(client, openapi):
    response = client.get("/api/export?q=manovra&source=Ansa&source=Corriere&format=jsonl")
    rows = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(rows) == int(response.headers["X-Export-Count"]) == 3
    for row in rows:
        validate(openapi, "ExportRow", row)
    declared = openapi["paths"]["/api/export"]["get"]["responses"]["200"]
    assert set(declared["content"]) == {"text/csv", "application/x-ndjson"}
    assert set(declared["headers"]) == {
        "X-Total-Count",
        "X-Total-Exact",
        "X-Export-Count",
        "X-Export-Limit",
    }
    assert response.headers["X-Total-Exact"] == "true"


def test_collapsed_duplicates_match_openapi(client, openapi):
    body = client.get("/api/search?q=manovra+finanziaria&collapse=1").get_json()
    assert any(hit["similar"] for hit in body["hits"])
    validate(openapi, "SearchResult", body)


def test_every_copy_is_a_hit_unless_collapse_is_asked(client):
    plain = client.get("/api/search?q=manovra+finanziaria").get_json()
    folded = client.get("/api/search?q=manovra+finanziaria&collapse=true").get_json()
    assert all(hit["similar"] == [] for hit in plain["hits"])
    shown = {hit["id"] for hit in plain["hits"]}
    folded_ids = {hit["id"] for hit in folded["hits"]}
    tucked = {ref["id"] for hit in folded["hits"] for ref in hit["similar"]}
    assert tucked and not tucked & folded_ids
    assert folded_ids | tucked == shown


def test_collapse_takes_only_yes_or_no(client):
    response = client.get("/api/search?q=manovra&collapse=maybe")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"]["reason"] == "bad_flag"
    assert "`collapse` must be 1 or 0" in body["error"]["message"]


def test_openapi_rejects_wrong_shapes(openapi):
    with pytest.raises(jsonschema.ValidationError):
        validate(openapi, "SearchResult", {"query": "x"})
    with pytest.raises(jsonschema.ValidationError):
        validate(openapi, "Error", {"error": {"code": 400}})


def test_no_index_responses_match_openapi(tmp_path, openapi):
    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "503" in openapi["paths"]["/readyz"]["get"]["responses"]
    validate(openapi, "Error", response.get_json())
