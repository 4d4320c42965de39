""""Did you mean" on a real index."""

from __future__ import annotations

from corpus import write_jsonl

from search.indexer import build_index
from search.searcher import search
from search.store import IndexHandle


def test_rare_variants_of_frequent_words_are_corrected_but_real_words_are_not(tmp_path):
    articles = [
        {"id": f"z{i}", "title": "", "body": f"Il presidente Zelensky parla a Kiev, giorno {i}."}
        for i in range(60)
    ]
    articles.append({"id": "typo", "title": "", "body": "Zelenksy incontra il sindaco di Kiev."})
    articles.append({"id": "kyiv", "title": "", "body": "Visita a Kyiv del ministro."})
    build_index([write_jsonl(tmp_path / "z.jsonl", articles)], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    # Unknown word: corrected.
    assert search(handle, "Zelenskj Kiev").suggestion == "Zelensky Kiev"
    # Known but rare (1 article) next to a word in 60: corrected.
    assert search(handle, "zelenksy").suggestion == "zelensky"
    # A real spelling of a rare word: Kyiv is two edits from Kiev, and words under 6 letters
    # are only corrected by one.
    assert search(handle, "Kyiv").suggestion is None
    assert search(handle, "Zelensky").suggestion is None
    handle.close()
