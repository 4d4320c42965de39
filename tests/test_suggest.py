""""Did you mean" on a real index."""

from __future__ import annotations

import pytest
from corpus import write_jsonl

from search.indexer import build_index
from search.searcher import search
from search.store import IndexHandle
from search.suggest import typo_distance


def test_unknown_words_are_corrected_to_the_closest_indexed_word(tmp_path):
    articles = [
        {"id": f"z{i}", "title": "", "body": f"Il presidente Zelensky parla a Kiev, giorno {i}."}
        for i in range(60)
    ]
    articles.append({"id": "typo", "title": "", "body": "Zelenksy incontra il sindaco di Kiev."})
    articles.append({"id": "kyiv", "title": "", "body": "Visita a Kyiv del ministro."})
    build_index([write_jsonl(tmp_path / "z.jsonl", articles)], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    # Unknown words are corrected; a swap of two letters counts as one typo, so "Zelesnky"
    # goes to Zelensky (one swap) rather than to a more frequent word two edits away.
    assert search(handle, "Zelenskj Kiev").suggestion == "Zelensky Kiev"
    assert search(handle, "Zelesnky").suggestion == "Zelensky"
    # A word in the index is never second-guessed, however rare.
    assert search(handle, "zelenksy").suggestion is None
    # A real spelling of a rare word: Kyiv is two edits from Kiev, and words under 6 letters
    # are only corrected by one.
    assert search(handle, "Kyiv").suggestion is None
    assert search(handle, "Zelensky").suggestion is None
    handle.close()


def test_typo_distance_counts_a_swap_as_one():
    assert typo_distance("zelenksy", "zelensky") == 1
    assert typo_distance("zelenksy", "zelenskyy") == 2
    assert typo_distance("arrstato", "arrestato") == 1
    assert typo_distance("", "abc") == 3


@pytest.mark.parametrize("in_memory", [True, False])
def test_the_walks_cursors_find_what_whooshs_cursor_finds(tmp_path, monkeypatch, in_memory):
    """The spelling walk's cursor holds a segment's words in memory (or, past MEMORY_TERMS,
    remembers the on-disk term index's keys): the same terms, fewer reads."""
    from corpus import ARTICLES

    from search import suggest
    from search.suggest import SPELL_FIELD, _cursor

    if not in_memory:
        monkeypatch.setattr(suggest, "MEMORY_TERMS", 10)
    build_index([write_jsonl(tmp_path / "a.jsonl", ARTICLES)], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    probes = ["", "\x00", "a", "pre", "presidente", "presidentf", "zz", "\U0010ffff", "m", "me"]
    probes += ["città", "cittz", "è", "ù"]
    try:
        with handle.searcher() as searcher:
            for leaf, _ in searcher.reader().leaf_readers():
                plain, ours = leaf.cursor(SPELL_FIELD), _cursor(leaf)
                kind = "_ListCursor" if in_memory else "_RememberingCursor"
                assert type(ours).__name__ == kind
                assert ours.text() == plain.text()
                for probe in probes * 2:  # the second time from the remembered keys
                    assert ours.find(probe) == plain.find(probe), probe
                    assert ours.next() == plain.next(), probe
                walked = [ours.find("")]
                while walked[-1] is not None:
                    walked.append(ours.next())
                assert walked[:-1] == [w.decode() for w in leaf.lexicon(SPELL_FIELD)]
    finally:
        handle.close()
