"""Engine errors and HTTP errors as a JSON body on the API and as a page in the browser.

QueryError -> 400, ArticleNotFoundError -> 404, no index / wrong index version -> 503. The API
sends the engine's English message with its ``code`` and ``reason``; the pages say it in Italian
from the catalogue in ``web/messages.py``. Anything unexpected is logged and answered with a plain
500 that leaks nothing.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from search.errors import (
    ArticleNotFoundError,
    IndexNotFoundError,
    IndexVersionError,
    QueryError,
    RassegnaError,
    UnsafeIndexError,
)
from web.messages import TITLES, engine_message, http_message

# Engine error -> HTTP status.
ENGINE_STATUS = [
    (QueryError, 400),
    (ArticleNotFoundError, 404),
    (IndexNotFoundError, 503),
    (IndexVersionError, 503),
    (UnsafeIndexError, 503),
]


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


def _page(status: int, message: str, *, reason: str = "", query: str = ""):
    return render_template(
        "error.html",
        status=status,
        title=TITLES.get(status, "Errore"),
        message=message,
        reason=reason,
        query=query,
    )


def handle_rassegna_error(error: RassegnaError):
    status = next((s for cls, s in ENGINE_STATUS if isinstance(error, cls)), 500)
    if status == 500:
        return handle_unexpected(error)
    if wants_json():
        body = jsonify(
            {"error": {"code": error.code, "reason": error.reason, "message": str(error)}}
        )
    else:
        query = request.args.get("q", "") if status == 400 else ""
        body = _page(status, engine_message(error), reason=error.reason, query=query)
    return make_response(body, status)


def _http_response(status: int, api_message: str):
    if wants_json():
        body = jsonify({"error": {"code": status, "message": api_message}})
    else:
        body = _page(status, http_message(status))
    return make_response(body, status)


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    response = _http_response(error.code, error.description or error.name)
    for name, value in error.get_headers():
        if name.lower() == "allow":  # 405 says which methods are allowed
            response.headers["Allow"] = value
    return response


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    current_app.logger.exception("Unhandled error on %s", request.path)
    return _http_response(500, "Internal server error.")


def init_app(app: Flask) -> None:
    app.register_error_handler(RassegnaError, handle_rassegna_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
