"""Rassegna's web layer: the search page, the article page, the Atom feed and the JSON API.

``create_app`` is the only entry point (``gunicorn 'web:create_app()'``); nothing is read or opened
at import time. The index handle lives on the app and reopens the live build by itself when
``rassegna index`` or ``rassegna update`` swaps it, so a rebuild shows up without a restart.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from search import config as settings
from search.store import IndexHandle

EXTENSION = "rassegna"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; ``config`` overrides (INDEX_DIR, CORS_ORIGINS, TESTING, …)."""
    app = Flask(__name__)
    app.config.update(
        # Debug only ever comes from `rassegna serve --dev` (app.run(debug=True)).
        DEBUG=False,
        INDEX_DIR=str(settings.index_dir()),
        CORS_ORIGINS=settings.get("cors_origins"),
        BASE_URL=settings.base_url(),
        JSON_SORT_KEYS=False,
        FEED_SIZE=20,
    )
    if config:
        app.config.update(config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions[EXTENSION] = IndexHandle(app.config["INDEX_DIR"])

    from web import api, errors, formatting, headers, pages
    from web.ids import ArticleIdConverter

    app.url_map.converters["article_id"] = ArticleIdConverter

    formatting.init_app(app)
    headers.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    return app


def get_handle() -> IndexHandle:
    """The app's index handle (one per process; searchers are per thread inside it)."""
    return current_app.extensions[EXTENSION]
