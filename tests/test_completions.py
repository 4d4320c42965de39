"""Search-as-you-type: completions from the index's words and names, and GET /api/suggest."""

from __future__ import annotations

import pytest
from webfixtures import ARTICLES, NEW_BUILD_ARTICLES, build_corpus_index, write_jsonl

from search.completions import complete
from search.indexer import build_index
from search.store import IndexHandle
from web import create_app

EXTRA = [
    {
        "id": "c01",
        "title": "La città di Napoli e la sua università",
        "body": "La città di Napoli discute dell'università. La città cresce: città e università "
        "insieme. Meloni visita Napoli; Meloni parla di manovre.",
        "source": "Il Mattino",
        "author": "Sara Esposito",
        "date": "2024-09-16",
    },
    {
        "id": "c02",
        "title": "Meloni a Bruxelles",
        "body": "Meloni incontra i ministri. Per Meloni la manovra è pronta.",
        "source": "Ansa",
        "author": "Redazione",
        "date": "2024-09-17",
    },
]


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    handle = IndexHandle(build_corpus_index(tmp_path_factory.mktemp("suggest"), ARTICLES + EXTRA))
    yield handle
    handle.close()


def test_completes_the_last_word_most_frequent_first(handle):
    # manovra: 7 articles; manovre: 1.
    assert complete(handle, "manov") == ["manovra", "manovre"]
    assert complete(handle, "il gov") == ["il governo"]
    assert complete(handle, "Gov") == ["Governo"]  # the typed capital is kept


def test_names_from_sources_and_authors(handle):
    assert complete(handle, "ros") == ["Mario Rossi"]
    assert complete(handle, "mario ro") == ["Mario Rossi"]
    assert complete(handle, "red")[0] == "Redazione"
    assert complete(handle, "corr")[0] == "Corriere della Sera"  # the canonical name


def test_words_are_shown_as_articles_write_them(handle):
    assert complete(handle, "citt") == ["città"]
    assert complete(handle, "univ") == ["università"]
    assert complete(handle, "mel") == ["Meloni"]
    assert complete(handle, "l'univ") == ["l'università"]


@pytest.mark.parametrize(
    "text", ["", "m", "manovra ", "  ", '"manov', "2024", "x" * 300, "*", "fonte:an", "-manov"]
)
def test_nothing_to_complete(handle, text):
    assert complete(handle, text) == []


def test_stop_words_are_not_offered(handle):
    assert "della" not in complete(handle, "del")
    assert complete(handle, "zzz") == []


def test_suggest_api(handle):
    app = create_app({"INDEX_DIR": str(handle.index_dir), "TESTING": True})
    client = app.test_client()
    try:
        response = client.get("/api/suggest?q=manov")
        assert response.status_code == 200
        assert response.get_json() == {"suggestions": ["manovra", "manovre"]}
        assert client.get("/api/suggest").get_json() == {"suggestions": []}
        assert client.get("/api/suggest?q=" + "%00" * 50).get_json() == {"suggestions": []}
    finally:
        app.extensions["rassegna"].close()


def test_a_rebuild_gets_a_new_table(tmp_path):
    index_dir = build_corpus_index(tmp_path / "one", ARTICLES)
    handle = IndexHandle(index_dir)
    try:
        assert complete(handle, "ecli") == []
        source = write_jsonl(tmp_path / "two.jsonl", ARTICLES + NEW_BUILD_ARTICLES)
        build_index([source], index_dir)
        assert complete(handle, "ecli") == ["eclissi"]
    finally:
        handle.close()
