"""The JSON API: search, one article, index stats, health and readiness, and its OpenAPI document.

Every response body is the engine's ``to_dict()``; errors are ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from search.searcher import get_article, index_stats, search
from web import get_handle
from web.openapi import openapi_document
from web.params import search_kwargs

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def api_search():
    return jsonify(search(get_handle(), **search_kwargs(request.args)).to_dict())


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
