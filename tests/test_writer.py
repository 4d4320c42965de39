"""The fast indexing path gives what Whoosh's own path gives: the same postings, term statistics,
field lengths and stored fields, for tricky Italian text, the shipped seeds and synthetic news."""

from __future__ import annotations

import json
import random
import zlib
from pathlib import Path

import pytest
import whoosh.index
from whoosh.formats import Positions

from bench.generate import articles as synthetic_articles
from search.analysis import IndexWords, weighted_text
from search.articles import Article, read_sources
from search.indexer import build_index, document_fields
from search.schema import build_schema
from search.store import live_target
from search.writer import _MIN_COMPRESS, FastSegmentWriter, TermPool

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

TRICKY = [
    "L'Italia dell'Ucraina nell’area sull’isola un’altra c'è quell'uomo sant'Antonio Sant’Egidio",
    "un po' di tempo, il Po; dev'essere senz'altro nient'altro tutt'altro d'accordo quest'anno",
    "anch'io nessun'altra l'8 marzo dell' Ucraina perche' e' citta' ‘Recovery Fund’",
    "anni '90 al 45' è l’ultima",
    "D'Alema O'Brien Trump's Track II PERCHÉ Più Città È già né sé",
    "1.000 euro, 1.000.000,5 dollari, 3,5%, 10.30, 2025, covid19, 3.5, 1.2.3, 0,5 e 12,000",
    "ex-premier anti-mafia e-mail no-vax ʼndrangheta l`altra l´altra l‘altra",
    "Ø ł đ Łódź Ørsted São Paulo Ærø İstanbul ﬁne Straße ΑΒΓ кириллица 東京",
    "decomposed: perche\u0301 citta\u0300 and a stray \u0301mark",
    "il di e a che per con non una sono della questo anche più però come",
    "' '' l' d' ''s 's o'' x'y' _under_score_ a_b 9_9",
    "",
    "   \n\n  ",
]


def _seed_texts() -> list[str]:
    return [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def _values() -> list[str]:
    values = TRICKY + _seed_texts()
    values += [
        weighted_text([(a, 2.0), (b, 1.0), (a, 0.5)])
        for a, b in zip(values, values[1:], strict=False)
    ]
    values.append(weighted_text([(TRICKY[0], 1.3), (TRICKY[1], 0.7), (TRICKY[0], 0.1)]))
    return values


def _reference(field, value: str) -> list[tuple]:
    return sorted(field.index(value))


@pytest.mark.parametrize("fieldname", ["text", "title", "exact", "author", "source"])
def test_fast_postings_equal_the_analyzer_chain(tmp_path, fieldname):
    ix = whoosh.index.create_in(str(tmp_path), build_schema())
    writer = FastSegmentWriter(ix)
    try:
        field = ix.schema[fieldname]
        how = writer._fast[fieldname]
        for value in _values():
            terms, freqs, weights, values = writer._fast_postings(field, value, *how)
            fast = sorted(zip(terms, freqs, weights, values, strict=True))
            expected = _reference(field, value)
            if isinstance(field.format, Positions):
                # Shared encoded values decode the same; compare them as bytes too.
                assert [t[3] for t in fast] == [t[3] for t in expected]
            assert fast == expected, value[:60]
    finally:
        writer.cancel()


def test_the_fast_path_covers_the_italian_fields(tmp_path):
    ix = whoosh.index.create_in(str(tmp_path), build_schema())
    writer = FastSegmentWriter(ix)
    try:
        assert writer._fast == {
            "text": (True, False),
            "title": (True, True),
            "exact": (False, True),
            "author": (False, True),
            "source": (False, True),
        }
    finally:
        writer.cancel()


def test_index_words_caches_do_not_change_the_words():
    small = IndexWords(maxsize=3)  # cleared again and again
    large = IndexWords()
    for value in _values():
        for stemmed in (True, False):
            assert small.positions(value, stemmed) == large.positions(value, stemmed)
            assert small.frequencies(value, stemmed) == large.frequencies(value, stemmed)


_STATS = ("_weight", "_df", "_minlength", "_maxlength", "_maxweight", "_minid", "_maxid")


def _dump(index_dir: Path) -> dict:
    """Everything a search reads: postings, term statistics, lengths, stored fields, columns."""
    ix = whoosh.index.open_dir(str(index_dir))
    with ix.reader() as reader:
        out: dict = {"stored": list(reader.all_stored_fields()), "doccount": reader.doc_count()}
        for fieldname in reader.indexed_field_names():
            for btext in reader.lexicon(fieldname):
                info = reader.term_info(fieldname, btext)
                stats = {k: getattr(info, k) for k in _STATS}
                matcher = reader.postings(fieldname, btext)
                postings = []
                while matcher.is_active():
                    postings.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                out[(fieldname, btext)] = (stats, postings)
            out[("length", fieldname)] = reader.field_length(fieldname)
            out[("lengths", fieldname)] = [
                reader.doc_field_length(d, fieldname) for d in range(reader.doc_count_all())
            ]
        for fieldname in ("dup_sig", "author_facet", "source_facet", "year", "date"):
            out[("column", fieldname)] = list(reader.column_reader(fieldname, translate=False))
    ix.close()
    return out


def _corpus(tmp_path: Path, n: int) -> list[Article]:
    """The seeds, then ``n`` synthetic articles, a few with tricky text in their bodies."""
    records = list(synthetic_articles(n, seed=7))
    rng = random.Random(3)
    for record in rng.sample(records, 5):
        record["body"] = f"{rng.choice(TRICKY)}\n\n{record['body']}"
    path = tmp_path / "synthetic.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return [a for a in read_sources([SEEDS, path]) if isinstance(a, Article)]


def _build(index_dir: Path, batches: list[list[Article]], fast: bool, limitmb: int) -> None:
    index_dir.mkdir()
    ix = whoosh.index.create_in(str(index_dir), build_schema())
    for i, batch in enumerate(batches):
        last = i == len(batches) - 1
        writer = FastSegmentWriter(ix, limitmb=limitmb) if fast else ix.writer(limitmb=limitmb)
        for article in batch:
            writer.add_document(**document_fields(article))
        writer.commit(optimize=last and len(batches) > 1)  # the last commit merges them all
        ix = whoosh.index.open_dir(str(index_dir))
    ix.close()


@pytest.mark.parametrize(
    ("batches", "limitmb"),
    [(1, 256), (1, 1), (3, 1)],
    ids=["in-memory", "spilled-runs", "merged-segments"],
)
def test_fast_writer_builds_the_same_index_as_whoosh(tmp_path, batches, limitmb):
    docs = _corpus(tmp_path, 120)
    size = -(-len(docs) // batches)
    parts = [docs[i : i + size] for i in range(0, len(docs), size)]
    _build(tmp_path / "whoosh", parts, fast=False, limitmb=limitmb)
    _build(tmp_path / "fast", parts, fast=True, limitmb=limitmb)
    assert _dump(tmp_path / "fast") == _dump(tmp_path / "whoosh")


def test_term_pool_spills_and_merges_in_document_order(tmp_path):
    pool = TermPool(limitmb=0, tempdir=str(tmp_path))  # every document spills
    for docnum in range(5):
        pool.add("f", docnum, [b"a", b"b"], [1.0, 2.0], [b"x", b""])
        pool.add("e", docnum, [b"z"], [0.5], [b"y"])
    assert len(pool.runs) == 10
    items = list(pool.items())
    assert [(f, t) for f, t, _ in items] == [("e", b"z"), ("f", b"a"), ("f", b"b")]
    assert items[1][2] == [x for d in range(5) for x in (d, 1.0, b"x")]
    pool.cleanup()
    assert list(tmp_path.iterdir()) == []


def test_index_words_matches_each_paragraph_once_per_document():
    words = IndexWords()
    body = "Il governo di Roma.\n\nLa Regione Lazio, l'assessore.\n\nRoma risponde"
    values = [f"Titolo\n\n{body}", weighted_text([("Titolo", 2.0), (body, 1.0)]), body]
    fresh = [
        (IndexWords().positions(v, s), IndexWords().frequencies(v, s))
        for v in values
        for s in (True, False)
    ]
    words.new_document()
    assert words._matches(values[0]) == (
        "Titolo Il governo di Roma La Regione Lazio l'assessore Roma risponde".split()
    )
    assert list(words._paragraphs) == ["Titolo", *body.split("\n\n")]
    shared = [
        (words.positions(v, s), words.frequencies(v, s)) for v in values for s in (True, False)
    ]
    assert shared == fresh
    words.new_document()
    assert words._paragraphs == {}


def test_term_pool_spills_its_buffer_before_merging_runs(tmp_path):
    pool = TermPool(limitmb=1, tempdir=str(tmp_path))
    pool.add("f", 0, [b"a"], [1.0], [b"x"])
    pool._spill()  # one run on disk, then a document still in memory
    pool.add("f", 1, [b"a", b"b"], [2.0, 1.0], [b"y", b""])
    items = list(pool.items())
    assert len(pool.runs) == 2 and pool.fields == {}
    assert items == [("f", b"a", [0, 1.0, b"x", 1, 2.0, b"y"]), ("f", b"b", [1, 1.0, b""])]
    pool.cleanup()
    in_memory = TermPool(limitmb=1, tempdir=str(tmp_path))  # no runs: nothing is written
    in_memory.add("f", 0, [b"a"], [1.0], [b"x"])
    assert list(in_memory.items()) == [("f", b"a", [0, 1.0, b"x"])]
    assert in_memory.runs == [] and list(tmp_path.iterdir()) == []


def _blocks(index_dir: Path, fieldname: str, btext: bytes) -> list[tuple[int, bytes]]:
    """``(compression level, pickled data)`` of each posting block of one term, as on disk."""
    ix = whoosh.index.open_dir(str(index_dir))
    out = []
    with ix.reader() as reader:
        matcher = reader.postings(fieldname, btext)
        while True:
            start, end = matcher._dataoffset, matcher._nextoffset
            data = matcher._postfile.get(start, end - start)
            level = matcher._compression
            out.append((level, zlib.decompress(data) if level else data))
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
    ix.close()
    return out


def test_posting_blocks_are_pickled_with_protocol_4_and_small_ones_left_uncompressed(tmp_path):
    docs = _corpus(tmp_path, 200)
    _build(tmp_path / "whoosh", [docs], fast=False, limitmb=256)
    _build(tmp_path / "fast", [docs], fast=True, limitmb=256)
    assert _dump(tmp_path / "fast") == _dump(tmp_path / "whoosh")  # Whoosh reads them alike
    rare = _blocks(tmp_path / "fast", "id", docs[0].id.encode())  # one posting
    assert [level for level, _ in rare] == [0]
    assert rare[0][1][:2] == b"\x80\x04" and len(rare[0][1]) < _MIN_COMPRESS
    common = _blocks(tmp_path / "fast", "exact", b"di")  # in nearly every article
    # Fewer than POSTING_BLOCK postings: one block (Whoosh's default codec writes two).
    assert len(common) == 1 and {level for level, _ in common} == {3}
    assert len(_blocks(tmp_path / "whoosh", "exact", b"di")) == 2
    assert {data[:2] for _, data in common} == {b"\x80\x04"}
    assert [data[:2] for _, data in _blocks(tmp_path / "whoosh", "exact", b"di")][0] == b"\x80\x02"

    def size(index_dir: Path) -> int:
        return sum(p.stat().st_size for p in index_dir.iterdir())

    assert size(tmp_path / "fast") < 0.85 * size(tmp_path / "whoosh")  # 0.80 when written


def test_a_segment_written_before_the_commit_is_listed_after_earlier_ones(tmp_path):
    docs = _corpus(tmp_path, 30)
    (tmp_path / "ix").mkdir()
    ix = whoosh.index.create_in(str(tmp_path / "ix"), build_schema())
    first = FastSegmentWriter(ix, _lk=False)
    for article in docs[:10]:
        first.add_document(**document_fields(article))
    early = first._finalize_segment()
    writer = FastSegmentWriter(ix)
    for article in docs[10:]:
        writer.add_document(**document_fields(article))
    writer.write_segment()
    writer.before.append(early)
    writer.write_segment()  # twice is once
    writer.commit()
    ix = whoosh.index.open_dir(str(tmp_path / "ix"))
    with ix.searcher() as searcher:
        assert [r.doc_count() for r, _ in searcher.reader().leaf_readers()] == [10, len(docs) - 10]
        assert [f["id"] for f in searcher.all_stored_fields()] == [a.id for a in docs]
    ix.close()
    (tmp_path / "empty").mkdir()
    ix = whoosh.index.create_in(str(tmp_path / "empty"), build_schema())
    writer = FastSegmentWriter(ix)
    writer.write_segment()  # nothing added: nothing written, the commit lists no segment
    writer.commit()
    assert whoosh.index.open_dir(str(tmp_path / "empty")).doc_count() == 0


def test_two_process_build_gives_the_same_index_as_one(tmp_path):
    """The second process's segment comes first: documents keep their numbers, and duplicates,
    problems and the report are those of a one-process build."""
    records = list(synthetic_articles(150, seed=11))
    records[100] = dict(records[10], title="Una versione successiva")  # a later copy of an id
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(50, "{not json")
    source = tmp_path / "news.jsonl"
    source.write_text("\n".join(lines) + "\n", "utf-8")
    reports = {}
    for procs in (1, 2):
        reports[procs] = build_index([source], tmp_path / f"index{procs}", procs=procs)
    one, two = reports[1], reports[2]
    assert (two.indexed, two.doc_count, two.skipped) == (one.indexed, one.doc_count, one.skipped)
    assert [(p.origin, p.reason) for p in two.problems] == [
        (p.origin, p.reason) for p in one.problems
    ]
    assert one.indexed == 149
    builds = {procs: live_target(tmp_path / f"index{procs}") for procs in (1, 2)}
    ix = whoosh.index.open_dir(str(builds[2]))
    with ix.reader() as reader:
        assert len(reader.leaf_readers()) == 3  # the second process's, this one's, the update's
    ix.close()
    assert _dump(builds[2]) == _dump(builds[1])
