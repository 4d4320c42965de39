"""Fixtures shared by the web tests (page and API): one real index, an app and a client."""

from __future__ import annotations

import pytest
from webfixtures import build_corpus_index

from web import create_app


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory):
    """A real on-disk index of the web corpus (read-only: tests must not change it)."""
    return build_corpus_index(tmp_path_factory.mktemp("web"))


@pytest.fixture
def app(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    yield app
    app.extensions["rassegna"].close()


@pytest.fixture
def client(app):
    return app.test_client()
