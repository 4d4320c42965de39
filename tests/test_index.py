"""Building, validating, swapping and updating the on-disk index."""

from __future__ import annotations

import json
import os

import pytest
from corpus import ARTICLES, write_jsonl

from search import indexer, store
from search.errors import BuildError, IndexLockedError, IndexNotFoundError, IndexVersionError
from search.indexer import build_index, index_lock, update_index
from search.searcher import search
from search.store import IndexHandle


def live_ids(index_dir):
    handle = IndexHandle(index_dir)
    try:
        with handle.searcher() as s:
            return sorted(f["id"] for f in s.all_stored_fields())
    finally:
        handle.close()


def builds(index_dir):
    return sorted(p.name for p in (index_dir / "builds").iterdir())


def test_build_reports_and_swaps_in(tmp_path):
    report = build_index([write_jsonl(tmp_path / "a.jsonl")], tmp_path / "ix")
    assert (report.indexed, report.doc_count, report.skipped) == (7, 7, 0)
    assert report.summary().startswith("Indexed 7 articles in ")
    assert report.summary().endswith("; skipped 0")
    current = tmp_path / "ix" / "current"
    assert current.is_symlink()
    assert os.readlink(current) == f"builds/{report.build_id}"
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest["doc_count"] == 7 and manifest["build_id"] == report.build_id
    assert live_ids(tmp_path / "ix") == sorted(a["id"] for a in ARTICLES)


def test_duplicate_ids_are_deduplicated_and_reported(tmp_path):
    first = dict(ARTICLES[0], body="prima versione del testo")
    second = dict(ARTICLES[0], body="seconda versione del testo")
    source = write_jsonl(tmp_path / "d.jsonl", [first, ARTICLES[1], second])
    report = build_index([source], tmp_path / "ix")
    assert report.doc_count == 2
    assert [str(p) for p in report.problems] == [
        f"{source}:1: duplicate id 'a1': kept the later one at {source}:3"
    ]
    assert report.skipped_by_reason() == {"duplicate id 'a1'": 1}
    assert [h.id for h in search(IndexHandle(tmp_path / "ix"), "seconda versione").hits] == ["a1"]
    assert search(IndexHandle(tmp_path / "ix"), '"prima versione"').total == 0


def test_broken_inputs_are_reported_and_skipped(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "good.jsonl", ARTICLES[:2])
    (src / "bad.jsonl").write_text('{"id": "x1", "body": "testo valido"}\n{not json\n', "utf-8")
    (src / "empty.txt").write_text("", "utf-8")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (src / "latin.txt").write_bytes("La città è bella.\n\nPerché sì.".encode("cp1252"))
    report = build_index([src], tmp_path / "ix")
    assert report.doc_count == 4  # a1, a2, x1, latin
    lines = sorted(str(p) for p in report.problems)
    assert lines == sorted(
        [
            f"{src / 'bad.jsonl'}:2: "
            "malformed JSON: Expecting property name enclosed in double quotes",
            f"{src / 'empty.txt'}: empty file",
            f"{src / 'binary.txt'}: binary file",
            f"{src / 'latin.txt'}: not valid UTF-8; decoded as cp1252",
        ]
    )
    assert report.skipped == 3
    assert ids_for(tmp_path / "ix", "città") == ["latin"]


def ids_for(index_dir, q):
    handle = IndexHandle(index_dir)
    try:
        return [h.id for h in search(handle, q).hits]
    finally:
        handle.close()


def test_nothing_indexable_fails_and_leaves_the_live_index(tmp_path):
    first = build_index([write_jsonl(tmp_path / "a.jsonl")], tmp_path / "ix")
    (tmp_path / "empty.txt").write_text("  \n", "utf-8")
    with pytest.raises(BuildError, match="Nothing could be indexed"):
        build_index([tmp_path / "empty.txt"], tmp_path / "ix")
    assert store.live_target(tmp_path / "ix").name == first.build_id
    assert builds(tmp_path / "ix") == [first.build_id]


def test_a_crash_mid_build_leaves_the_live_index_and_no_debris(tmp_path, monkeypatch):
    first = build_index([write_jsonl(tmp_path / "a.jsonl")], tmp_path / "ix")
    real = indexer.document_fields
    calls = []

    def exploding(article, **kwargs):
        calls.append(article.id)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real(article, **kwargs)

    monkeypatch.setattr(indexer, "document_fields", exploding)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_index([tmp_path / "a.jsonl"], tmp_path / "ix")
    assert builds(tmp_path / "ix") == [first.build_id]
    assert len(live_ids(tmp_path / "ix")) == 7


def test_failed_validation_never_swaps(tmp_path, monkeypatch):
    first = build_index([write_jsonl(tmp_path / "a.jsonl")], tmp_path / "ix")

    def bad_validate(build_dir, expected, probe):
        raise BuildError("Validation failed: simulated")

    monkeypatch.setattr(indexer, "_validate", bad_validate)
    with pytest.raises(BuildError, match="simulated"):
        build_index([tmp_path / "a.jsonl"], tmp_path / "ix")
    assert store.live_target(tmp_path / "ix").name == first.build_id


def test_rebuild_keeps_previous_for_rollback_and_open_readers_keep_working(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", ARTICLES[:3])
    first = build_index([source], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    with handle.searcher() as old_searcher:
        write_jsonl(source, ARTICLES[3:])
        second = build_index([source], tmp_path / "ix")
        # The reader opened on the first build still answers from it.
        assert old_searcher.doc_count() == 3
    # The handle notices the swap and reopens: no refresh(), no restart.
    with handle.searcher() as new_searcher:
        assert new_searcher.doc_count() == 4
    ix = tmp_path / "ix"
    assert os.readlink(ix / "previous") == f"builds/{first.build_id}"
    third = build_index([source], ix)
    assert builds(ix) == sorted([second.build_id, third.build_id])  # older builds pruned
    handle.close()


def test_update_adds_replaces_and_keeps_the_rest(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", ARTICLES[:4])
    first = build_index([source], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    assert search(handle, "zelensky").total == 0
    changed = dict(
        ARTICLES[0], body="Testo corretto: il presidente ha firmato la legge elettorale."
    )
    updates = write_jsonl(tmp_path / "u.jsonl", [changed, ARTICLES[1], ARTICLES[4]])
    report = update_index([updates], tmp_path / "ix")
    assert (report.added, report.replaced, report.unchanged, report.deleted) == (1, 1, 1, 0)
    assert report.doc_count == 5
    assert report.summary().startswith("Updated the index in ")
    assert "1 added, 1 replaced, 1 unchanged, 0 deleted; 5 in all" in report.summary()
    # The live build moved; the handle sees the update without refresh().
    assert [h.id for h in search(handle, "zelensky").hits] == ["a5"]
    assert [h.id for h in search(handle, "legge elettorale").hits] == ["a1"]
    assert search(handle, '"decreto sui negoziati"').total == 0
    assert live_ids(tmp_path / "ix") == ["a1", "a2", "a3", "a4", "a5"]
    # The build it started from is untouched (hard links, never written in place).
    old = store.open_build(tmp_path / "ix" / "builds" / first.build_id)
    with old.ix.searcher() as s:
        assert s.doc_count() == 4
        assert "legg" not in {t.decode() for t in s.lexicon("text")}
    old.ix.close()
    handle.close()


def test_update_with_nothing_new_changes_nothing(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", ARTICLES[:2])
    first = build_index([source], tmp_path / "ix")
    report = update_index([source], tmp_path / "ix")
    assert (report.added, report.replaced, report.unchanged) == (0, 0, 2)
    assert report.build_id == first.build_id
    assert store.live_target(tmp_path / "ix").name == first.build_id


def test_update_delete_missing(tmp_path):
    build_index([write_jsonl(tmp_path / "a.jsonl", ARTICLES[:4])], tmp_path / "ix")
    report = update_index(
        [write_jsonl(tmp_path / "u.jsonl", ARTICLES[:2])], tmp_path / "ix", delete_missing=True
    )
    assert (report.deleted, report.doc_count) == (2, 2)
    assert live_ids(tmp_path / "ix") == ["a1", "a2"]


def test_update_without_an_index_says_what_to_do(tmp_path):
    with pytest.raises(IndexNotFoundError) as err:
        update_index([write_jsonl(tmp_path / "a.jsonl")], tmp_path / "ix")
    assert str(err.value) == (
        f"No index in {tmp_path / 'ix'}; run `rassegna index` first "
        "(or point --index / RASSEGNA_INDEX at an existing one)."
    )


def test_one_indexer_at_a_time(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl")
    with index_lock(tmp_path / "ix"):
        with pytest.raises(IndexLockedError, match="Another indexer is already working on"):
            build_index([source], tmp_path / "ix")
    assert build_index([source], tmp_path / "ix").doc_count == 7


def test_version_mismatch_refuses_to_open(tmp_path):
    report = build_index([write_jsonl(tmp_path / "a.jsonl")], tmp_path / "ix")
    manifest_path = tmp_path / "ix" / "builds" / report.build_id / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["analyzer_version"] = "it-0"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexVersionError) as err:
        IndexHandle(tmp_path / "ix").current()
    assert "rebuild it with `rassegna index`" in str(err.value)
    assert "analyzer it-0" in str(err.value)


def test_oversized_bodies_are_capped_and_reported(tmp_path):
    big = dict(ARTICLES[0], body="parola " * 2000)
    report = build_index(
        [write_jsonl(tmp_path / "b.jsonl", [big])], tmp_path / "ix", max_body_chars=1000
    )
    assert report.doc_count == 1
    assert len(report.problems) == 1 and not report.problems[0].skipped
    assert report.problems[0].reason == "body truncated from 13,999 to 993 characters"


def test_build_without_titles_validates_on_body_words(tmp_path):
    # The first article's title words are not in its body: the probe must not look for them.
    articles = [dict(ARTICLES[0], title="Titolo senza riscontro"), *ARTICLES[1:3]]
    source = write_jsonl(tmp_path / "t.jsonl", articles)
    report = build_index([source], tmp_path / "ix", include_titles=False)
    assert report.doc_count == 3
    assert ids_for(tmp_path / "ix", "riscontro") == []
