"""The OpenAPI 3 description of the JSON API, written by hand to match the engine's ``to_dict()``.

tests/test_api.py validates real responses against these schemas, so a change to a response that
is not reflected here fails the tests.
"""

from __future__ import annotations

from typing import Any

from search.export import COLUMNS, EXPORT_LIMIT, FORMATS
from search.query import MAX_QUERY_CHARS, MAX_QUERY_WORDS
from search.request import DAY_PATTERN, FILTERS, MAX_PAGE, MAX_SIZE, SORTS, YEAR_PATTERN
from search.results import TRUNCATIONS


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


DATE = _nullable("string", format="date")

SCHEMAS: dict[str, Any] = {
    "ArticleRef": {
        "type": "object",
        "required": ["id", "title", "source", "date"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "source": _nullable("string"),
            "date": DATE,
            "score": {"type": "number", "description": "Similarity (related articles only)."},
        },
    },
    "FacetValue": {
        "type": "object",
        "required": ["value", "count"],
        "additionalProperties": False,
        "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}},
    },
    "Hit": {
        "type": "object",
        "required": [
            "id",
            "title",
            "url",
            "source",
            "author",
            "date",
            "score",
            "snippets",
            "similar",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "url": _nullable("string"),
            "source": _nullable("string"),
            "author": _nullable("string"),
            "date": DATE,
            "score": {"type": "number", "description": "Relevance; 0 when sorted by date."},
            "snippets": {
                "type": "array",
                "minItems": 1,
                "description": "Escaped HTML; matched words in <mark>.",
                "items": {"type": "string"},
            },
            "similar": {
                "type": "array",
                "description": "Near-duplicates collapsed under this hit.",
                "items": {"$ref": "#/components/schemas/ArticleRef"},
            },
        },
    },
    "Correction": {
        "type": "object",
        "required": ["typed", "searched"],
        "additionalProperties": False,
        "properties": {
            "typed": {"type": "string", "description": 'The word as typed ("Witkof").'},
            "searched": {
                "type": "array",
                "items": {"type": "string"},
                "description": 'Indexed spellings searched with it ("Witkoff").',
            },
        },
    },
    "SearchResult": {
        "type": "object",
        "required": [
            "query",
            "total",
            "total_exact",
            "page",
            "size",
            "took_ms",
            "suggestion",
            "corrections",
            "truncated",
            "hits",
            "facets",
            "facets_exact",
            "histogram",
        ],
        "additionalProperties": False,
        "properties": {
            "query": {"type": "string"},
            "total": {
                "type": "integer",
                "minimum": 0,
                "description": "Matching articles; an estimate when `total_exact` is false.",
            },
            "total_exact": {
                "type": "boolean",
                "description": "False when `total` is estimated (large result sets): show it as "
                "'circa'.",
            },
            "page": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
            "took_ms": {"type": "number"},
            "suggestion": _nullable("string", description="A respelled query, when one helps."),
            "corrections": {
                "type": "array",
                "description": "Query words also searched in their closest indexed spellings "
                '(typo tolerance): the page\'s "Risultati anche per".',
                "items": {"$ref": "#/components/schemas/Correction"},
            },
            "truncated": {
                "type": ["string", "null"],
                "enum": [*TRUNCATIONS, None],
                "description": f"Set when only the query's first {MAX_QUERY_WORDS} words "
                f'("words") or {MAX_QUERY_CHARS} characters ("characters") were searched.',
            },
            "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {
                "type": "object",
                "required": ["source", "author", "year"],
                "additionalProperties": False,
                "properties": {
                    name: {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}
                    for name in ("source", "author", "year")
                },
            },
            "facets_exact": {
                "type": "boolean",
                "description": "False when facet counts come from a sample of the matches "
                "(the best-ranked), scaled to the estimated total.",
            },
            "histogram": {
                "oneOf": [{"$ref": "#/components/schemas/DateHistogram"}, {"type": "null"}],
                "description": "Matches per month; null when facets were not computed.",
            },
        },
    },
    "DateHistogram": {
        "type": "object",
        "required": ["months", "undated"],
        "additionalProperties": False,
        "properties": {
            "months": {
                "type": "array",
                "description": "Months (YYYY-MM, oldest first) holding at least one match.",
                "items": {"$ref": "#/components/schemas/FacetValue"},
            },
            "undated": {"type": "integer", "minimum": 0, "description": "Matches without a date."},
        },
    },
    "Article": {
        "type": "object",
        "required": [
            "id",
            "title",
            "title_derived",
            "url",
            "source",
            "author",
            "date",
            "word_count",
            "body",
            "headings",
            "related",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "title_derived": {
                "type": "boolean",
                "description": "True when the source had no title and it was made from the text.",
            },
            "url": _nullable("string"),
            "source": _nullable("string"),
            "author": _nullable("string"),
            "date": DATE,
            "word_count": {"type": "integer", "minimum": 0},
            "headings": {
                "type": "array",
                "description": "Positions of the body's paragraphs (split on blank lines) that "
                "are subheadings.",
                "items": {"type": "integer", "minimum": 0},
            },
            "body": {
                "type": "string",
                "description": "Plain text; paragraphs split by a blank line.",
            },
            "related": {"type": "array", "items": {"$ref": "#/components/schemas/ArticleRef"}},
        },
    },
    "Stats": {
        "type": "object",
        "required": [
            "index_dir",
            "build_id",
            "built_at",
            "build_seconds",
            "doc_count",
            "size_bytes",
            "date_min",
            "date_max",
            "sources",
        ],
        "additionalProperties": False,
        "properties": {
            "index_dir": {"type": "string"},
            "build_id": {"type": "string"},
            "built_at": {"type": "string"},
            "build_seconds": {"type": "number"},
            "doc_count": {"type": "integer", "minimum": 0},
            "size_bytes": {"type": "integer", "minimum": 0},
            "date_min": DATE,
            "date_max": DATE,
            "sources": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}},
        },
    },
    "Suggestions": {
        "type": "object",
        "required": ["suggestions"],
        "additionalProperties": False,
        "properties": {
            "suggestions": {"type": "array", "maxItems": 8, "items": {"type": "string"}},
        },
    },
    "ExportRow": {
        "type": "object",
        "required": list(COLUMNS),
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "date": DATE,
            "source": _nullable("string"),
            "author": _nullable("string"),
            "url": _nullable("string"),
            "score": {"type": "number", "description": "Relevance; 0 when sorted by date."},
            "snippet": {"type": "string", "description": "Plain text (no HTML)."},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status"],
        "additionalProperties": False,
        "properties": {"status": {"const": "ok"}},
    },
    "Ready": {
        "type": "object",
        "required": ["status", "build_id", "doc_count"],
        "additionalProperties": False,
        "properties": {
            "status": {"const": "ready"},
            "build_id": {"type": "string"},
            "doc_count": {"type": "integer", "minimum": 0},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {
                        "type": ["integer", "string"],
                        "description": "HTTP status, or bad_query / not_found / no_index / "
                        "index_version / unsafe_index for engine errors.",
                    },
                    "reason": {
                        "type": "string",
                        "description": "Engine errors only: the exact problem, stable for "
                        "clients (number_range, bad_date, dates_reversed, bad_year, bad_sort, "
                        "bad_flag, bad_format; else the code).",
                    },
                    "message": {"type": "string", "description": "What went wrong, what to do."},
                },
            }
        },
    },
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _query(
    name: str, description: str, schema: dict[str, Any], *, explode: bool = False
) -> dict[str, Any]:
    out = {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }
    if explode:  # ?source=Ansa&source=Corriere
        out.update(style="form", explode=True)
    return out


YEAR = {"type": "string", "pattern": YEAR_PATTERN}


def _one_or_many(item: dict[str, Any]) -> dict[str, Any]:
    """A filter given once (a value) or repeated (``?year=2024&year=2025``: any of them)."""
    return {"anyOf": [item, {"type": "array", "items": item}]}


# YYYY, YYYY-MM, or YYYY-MM-DD that is a real day (format: date checks the calendar).
DAY_SCHEMA = {
    "description": "YYYY-MM-DD, YYYY-MM or YYYY; empty: no limit. `from` after `to` is a 400.",
    "anyOf": [
        {"type": "string", "pattern": "^((?!0000)[0-9]{4}(-(0[1-9]|1[0-2]))?)?$"},
        {"type": "string", "pattern": DAY_PATTERN, "format": "date"},
    ],
}

ERRORS = {
    "400": _json("Error", "Bad query or parameter; the message says how to fix it."),
    "503": _json("Error", "No index (run `rassegna index`) or an index of another version."),
}

SEARCH_PARAMETERS = [
    _query(
        "q",
        'Query: words, "phrases", -excluded, a OR b, source:/author:/title:, prefix*. Any text is '
        f"answered: past {MAX_QUERY_WORDS} words or {MAX_QUERY_CHARS} characters, on its "
        "beginning (the response's `truncated` says so).",
        {"type": "string"},
    ),
    _query(
        "page", "Page number.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}
    ),
    _query(
        "size",
        "Hits per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_SIZE, "default": 10},
    ),
    _query(
        "sort",
        "relevance, date (oldest first) or -date (newest first).",
        {"type": "string", "enum": list(SORTS), "default": "relevance"},
    ),
    *[
        _query(
            flt.name,
            flt.help.replace("; repeat for several.", "; repeat for several (any matches)."),
            _one_or_many(YEAR if flt.name == "year" else {"type": "string"}),
            explode=True,
        )
        for flt in FILTERS
        if flt.multi
    ],
    _query("from", "On or after this day.", DAY_SCHEMA),
    _query("to", "On or before this day.", DAY_SCHEMA),
    _query(
        "collapse",
        "1: fold near-identical copies of an article (syndicated versions) under the "
        "best-ranked one, listed in its `similar`; 0 (the default): every copy is a hit.",
        {"type": "string", "enum": ["", "0", "1", "false", "true", "off", "on", "no", "yes"]},
    ),
]


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document served at /api/openapi.json."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rassegna API",
            "version": "1",
            "description": "Full-text search over Italian news articles.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search articles",
                    "operationId": "search",
                    "parameters": SEARCH_PARAMETERS,
                    "responses": {"200": _json("SearchResult", "A page of results."), **ERRORS},
                }
            },
            "/api/export": {
                "get": {
                    "summary": "Export every match of a search as CSV or JSON Lines",
                    "description": (
                        f"Every match in the search's order (all filters and the sort apply; "
                        f"page and size do not), near-duplicates included, up to "
                        f"{EXPORT_LIMIT:,} rows, streamed. Columns: {', '.join(COLUMNS)}. "
                        "CSV is UTF-8 with a byte-order mark, comma-separated, RFC 4180 quoting; "
                        "a text cell starting with = + - @ gets a leading apostrophe so a "
                        "spreadsheet does not run it as a formula. Headers: X-Total-Count "
                        "(matches), X-Total-Exact (false when the search ran out of its work "
                        "budget: X-Total-Count is then an estimate and the rows are the best "
                        "matches found), X-Export-Count (rows sent), X-Export-Limit."
                    ),
                    "operationId": "export",
                    "parameters": [
                        *[
                            p
                            for p in SEARCH_PARAMETERS
                            if p["name"] not in ("page", "size", "collapse")
                        ],
                        _query(
                            "format",
                            "csv or jsonl.",
                            {"type": "string", "enum": list(FORMATS), "default": "csv"},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": f"The rows (at most {EXPORT_LIMIT:,}).",
                            "headers": {
                                **{
                                    name: {"schema": {"type": "integer", "minimum": 0}}
                                    for name in (
                                        "X-Total-Count",
                                        "X-Export-Count",
                                        "X-Export-Limit",
                                    )
                                },
                                "X-Total-Exact": {
                                    "schema": {"type": "string", "enum": ["true", "false"]}
                                },
                            },
                            "content": {
                                "text/csv": {"schema": {"type": "string"}},
                                "application/x-ndjson": {
                                    "schema": {"$ref": "#/components/schemas/ExportRow"}
                                },
                            },
                        },
                        **ERRORS,
                    },
                }
            },
            "/api/suggest": {
                "get": {
                    "summary": "Completions of the word being typed (search-as-you-type)",
                    "operationId": "suggest",
                    "parameters": [
                        _query(
                            "q",
                            "What is typed so far; the last word is completed (2+ letters).",
                            {"type": "string"},
                        )
                    ],
                    "responses": {
                        "200": _json("Suggestions", "Whole queries, most frequent first."),
                        "503": ERRORS["503"],
                    },
                }
            },
            "/api/articles/{id}": {
                "get": {
                    "summary": "One article with related articles",
                    "operationId": "getArticle",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "description": "The article id, percent-encoded; or `~` + base64url "
                            "of the id (the page links use it for ids with `/`, `.`, `..`).",
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json("Article", "The article."),
                        "404": _json("Error", "No article with this id."),
                        "503": ERRORS["503"],
                    },
                }
            },
            "/api/stats": {
                "get": {
                    "summary": "Facts about the live index",
                    "operationId": "stats",
                    "responses": {"200": _json("Stats", "Index statistics."), "503": ERRORS["503"]},
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness (needs no index)",
                    "operationId": "health",
                    "responses": {"200": _json("Health", "The process is up.")},
                }
            },
            "/readyz": {
                "get": {
                    "summary": "Readiness: the live index opens",
                    "operationId": "ready",
                    "responses": {
                        "200": _json("Ready", "Serving this build."),
                        "503": ERRORS["503"],
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
