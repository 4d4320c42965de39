"""The JSON API: search, export, suggestions, one article, index stats, health and readiness, and
its OpenAPI document.

Every response body is the engine's ``to_dict()``; errors are ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, stream_with_context

from search import export
from search.completions import complete
from search.request import from_params
from search.searcher import export_hits, get_article, index_stats, search
from web import get_handle
from web.openapi import openapi_document

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def api_search():
    return jsonify(search(get_handle(), from_params(request.args)).to_dict())


@bp.get("/api/export")
def api_export():
    fmt = export.check_format(request.args.get("format", "csv"))
    found = export_hits(get_handle(), from_params(request.args))
    response = Response(
        stream_with_context(export.lines(found.hits, fmt)), content_type=export.FORMATS[fmt]
    )
    response.headers["Content-Disposition"] = f'attachment; filename="rassegna.{fmt}"'
    response.headers["X-Total-Count"] = str(found.total)
    response.headers["X-Total-Exact"] = "true" if found.total_exact else "false"
    response.headers["X-Export-Count"] = str(found.count)
    response.headers["X-Export-Limit"] = str(found.limit)
    return response


@bp.get("/api/suggest")
def api_suggest():
    return jsonify({"suggestions": complete(get_handle(), request.args.get("q", ""))})


@bp.get("/api/articles/<article_id:article_id>")
def api_article(article_id: str):
    return jsonify(get_article(get_handle(), article_id).to_dict())


@bp.get("/api/stats")
def api_stats():
    return jsonify(index_stats(get_handle()).to_dict())


@bp.get("/api/openapi.json")
def api_openapi():
    return jsonify(openapi_document())


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers; needs no index."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """Readiness: the live index opens (503 with the reason otherwise)."""
    manifest = get_handle().manifest
    return jsonify(
        {
            "status": "ready",
            "build_id": manifest.get("build_id"),
            "doc_count": manifest.get("doc_count"),
        }
    )
