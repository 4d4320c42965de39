"""Engine errors and HTTP errors as a JSON body on the API and as a page in the browser.

QueryError -> 400, ArticleNotFoundError -> 404, no index / wrong index version -> 503, with the
engine's message, which already says what to do next. Anything unexpected is logged and answered
with a plain 500 that leaks nothing.
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

# Engine error -> (HTTP status, short code for API clients).
ENGINE_ERRORS = [
    (QueryError, 400, "bad_query"),
    (ArticleNotFoundError, 404, "not_found"),
    (IndexNotFoundError, 503, "no_index"),
    (IndexVersionError, 503, "index_version"),
    (UnsafeIndexError, 503, "unsafe_index"),
]
TITLES = {
    400: "Ricerca non valida",
    404: "Pagina non trovata",
    405: "Metodo non consentito",
    500: "Errore interno",
    503: "Indice non disponibile",
}
# Page messages for HTTP errors (the API keeps werkzeug's English descriptions).
PAGE_MESSAGES = {
    404: "La pagina richiesta non esiste. Controlla l'indirizzo o cerca dalla pagina iniziale.",
    405: "Questa pagina accetta solo richieste GET.",
    500: "Si è verificato un errore imprevisto. Riprova tra poco.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


def error_response(status: int, code: str | int, message: str, *, query: str = ""):
    if wants_json():
        body = jsonify({"error": {"code": code, "message": message}})
    else:
        body = render_template(
            "error.html",
            status=status,
            title=TITLES.get(status, "Errore"),
            message=PAGE_MESSAGES.get(status, message) if isinstance(code, int) else message,
            query=query,
        )
    return make_response(body, status)


def handle_rassegna_error(error: RassegnaError):
    status, code = next(
        ((s, c) for cls, s, c in ENGINE_ERRORS if isinstance(error, cls)), (500, 500)
    )
    query = request.args.get("q", "") if status == 400 else ""
    return error_response(status, code, str(error), query=query)


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    response = error_response(error.code, error.code, error.description or error.name)
    for name, value in error.get_headers():
        if name.lower() == "allow":  # 405 says which methods are allowed
            response.headers["Allow"] = value
    return response


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    current_app.logger.exception("Unhandled error on %s", request.path)
    return error_response(500, 500, "Internal server error.")


def init_app(app: Flask) -> None:
    app.register_error_handler(RassegnaError, handle_rassegna_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
