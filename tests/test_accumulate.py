"""Term-at-a-time BM25F gives Whoosh's own scores, on one segment and on several with deletions."""

from __future__ import annotations

import numpy as np
import pytest
from corpus import ARTICLES, write_jsonl
from whoosh import query as wq
from whoosh import scoring
from whoosh.searching import Searcher

from search.accumulate import Lengths, accumulate, flat_terms, matching_docs, phrase_matches
from search.collecting import Deadline, best, clause_docs, score_all
from search.indexer import build_index, update_index
from search.query import compile_query, parse
from search.ranking import DEFAULT, RankingParams, ranked_searcher, rerank
from search.store import IndexHandle

QUERIES = [
    "presidente",
    "presidente repubblica decreto",
    "Il presidente della Repubblica firma il decreto",
    "melone OR sindacati",
    "negoz* presidente",
    "zzzz presidente",
    '"presidente della Repubblica"',
    '"ha firmato" decreto',
    '"il melone" OR "il prezzo"',
    '"repubblica presidente"',
]


def whoosh_scores(searcher, q) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


def our_scores(searcher, q) -> dict[int, float]:
    terms = flat_terms(q, searcher)
    assert terms is not None
    found = accumulate(searcher, terms, Lengths())
    assert found is not None
    return found[0].as_dict()


@pytest.fixture(params=["one segment", "segments and deletions"])
def handle(request, tmp_path):
    build_index([write_jsonl(tmp_path / "a.jsonl", ARTICLES)], tmp_path / "ix")
    if request.param != "one segment":
        # New versions without the words of the old ones, which stay behind as deleted documents.
        changed = [
            dict(a, title="Avvistato", body="Un ornitorinco avvistato.") for a in ARTICLES[:2]
        ]
        update_index([write_jsonl(tmp_path / "u.jsonl", changed)], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    yield handle
    handle.close()


@pytest.mark.parametrize("params", [DEFAULT, RankingParams(k1=0.9, b=0.4, exact_boost=2.0)])
@pytest.mark.parametrize("text", QUERIES)
def test_scores_match_whooshs(handle, text, params):
    with handle.searcher() as base:
        searcher = ranked_searcher(base, params)
        q = compile_query(parse(text), searcher.reader(), params).scored
        expected = whoosh_scores(searcher, q)
        updated = searcher.reader().has_deletions()
        got = our_scores(searcher, q)
    assert sorted(got) == sorted(expected)
    if not updated and text != '"repubblica presidente"':  # out of order: no phrase
        assert expected
    for docnum, score in expected.items():
        assert got[docnum] == pytest.approx(score, rel=1e-9)


def test_deleted_versions_are_not_scored(handle):
    with handle.searcher() as base:
        searcher = ranked_searcher(base)
        updated = searcher.reader().has_deletions()
        reader = searcher.reader()

        def ids(text):
            docs = our_scores(searcher, compile_query(parse(text), reader).scored)
            return sorted(searcher.stored_fields(d)["id"] for d in docs)

        assert ids("ornitorinco") == (["a1", "a2"] if updated else [])
        assert ("a1" in ids("presidente")) is not updated


def test_other_query_shapes_are_left_to_whoosh(handle):
    with handle.searcher() as base:
        searcher = ranked_searcher(base)
        reader = searcher.reader()
        phrase = compile_query(parse('title:"presidente della repubblica"'), reader).filter
        assert flat_terms(phrase, searcher) is None  # a phrase with slop
        # A word the analyzer splits is one term per part (scored here, not by Whoosh).
        assert flat_terms(compile_query(parse("covid-19"), reader).scored, searcher) == [
            ("text", "covid", 1.0),
            ("text", "19", 1.0),
            ("exact", "covid", 1.0),
            ("exact", "19", 1.0),
        ]
        both = compile_query(parse("title:covid-19"), reader).filter
        assert flat_terms(both, searcher) is None  # a field's word split in parts: all required
        other = Searcher(reader, weighting=scoring.TF_IDF(), closereader=False)
        assert flat_terms(compile_query(parse("presidente"), reader).scored, other) is None


@pytest.mark.parametrize("text", QUERIES[1:4] + QUERIES[7:8])
def test_clause_documents_rerank_as_the_matchers_do(handle, text):
    with handle.searcher() as base:
        searcher = ranked_searcher(base)
        compiled = compile_query(parse(text), searcher.reader())
        found = score_all(searcher, compiled.scored, None, None, Lengths(), Deadline(60))
        assert found is not None
        scores, matched = found
        ranked = scores.best(200)
        assert ranked == best(scores.as_dict(), 200)
        docs = clause_docs(searcher, compiled.clauses, matched)
        assert docs is not None
        assert rerank(searcher, compiled.clauses, ranked, DEFAULT, docs) == rerank(
            searcher, compiled.clauses, ranked, DEFAULT
        )


@pytest.mark.parametrize("text", QUERIES)
def test_matching_documents_are_whooshs(handle, text):
    with handle.searcher() as base:
        searcher = ranked_searcher(base)
        compiled = compile_query(parse(text), searcher.reader())
        for q in (wq.And(compiled.clauses), compiled.scored):
            assert matching_docs(searcher, q, Lengths()) == set(searcher.docs_for_query(q))


PHRASES = [
    '"presidente della Repubblica"',
    '"ha firmato"',
    '"il melone"',
    '"il decreto"',
    '"del melone"',
    '"repubblica presidente"',
]


@pytest.mark.parametrize("text", PHRASES)
def test_a_phrase_verified_best_first_keeps_the_same_top(handle, text):
    """Verifying only the best candidates (a page's worth) gives the top of verifying them all."""
    with handle.searcher() as base:
        searcher = ranked_searcher(base)
        q = compile_query(parse(text), searcher.reader()).scored
        ((fieldname, words, boost),) = flat_terms(q, searcher)
        assert isinstance(words, tuple)
        every = our_scores(searcher, q)
        whole = phrase_matches(searcher, fieldname, words, boost, Lengths(), depth=1)
        assert (whole.scores, whole.complete, whole.estimate()) == (every, True, len(every))
        for depth in (1, 2, 3):
            part = phrase_matches(
                searcher, fieldname, words, boost, Lengths(), depth, exact_up_to=0, batch=1
            )
            assert best(part.scores, depth) == best(every, depth)
            assert len(part.scores) == min(depth, len(every))
            assert part.candidates == whole.candidates
            assert part.complete == (part.tried == part.candidates)
            if part.complete:
                assert part.scores == every
            else:
                assert part.estimate() >= len(part.scores)
        # Past its tries it settles for `enough`: still the top of them all, only shorter.
        some = phrase_matches(
            searcher,
            fieldname,
            words,
            boost,
            Lengths(),
            3,
            exact_up_to=0,
            batch=1,
            enough=1,
            tries=1,
        )
        assert len(some.scores) == min(1, len(every))
        assert best(some.scores, 3) == best(every, 1)


def test_a_phrase_respects_the_filters(handle):
    with handle.searcher() as base:
        searcher = ranked_searcher(base)
        q = compile_query(parse('"il presidente"'), searcher.reader()).scored
        ((fieldname, words, boost),) = flat_terms(q, searcher)
        every = our_scores(searcher, q)
        assert every
        first = min(every)
        allowed = phrase_matches(searcher, fieldname, words, boost, Lengths(), 10, allow={first})
        removed = phrase_matches(searcher, fieldname, words, boost, Lengths(), 10, restrict={first})
    assert allowed.scores == {first: every[first]}
    assert removed.scores == {d: s for d, s in every.items() if d != first}


def test_a_phrase_past_its_budget_stops_reading_words(tmp_path):
    articles = [
        {"id": f"p{i}", "title": "", "body": f"Il presidente della Repubblica firma, giorno {i}."}
        for i in range(3)
    ]
    build_index([write_jsonl(tmp_path / "p.jsonl", articles)], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    words = ("presidente", "della", "repubblica")
    try:
        with handle.searcher() as base:
            searcher = ranked_searcher(base)
            found = phrase_matches(searcher, "exact", words, 1.0, Lengths(), depth=10)
            spent = Deadline(0.0)
            late = phrase_matches(
                searcher, "exact", words, 1.0, Lengths(), depth=10, deadline=spent
            )
    finally:
        handle.close()
    assert len(found.scores) == 3
    # Past the budget only the rarest word was read: nothing verified, and the deadline says so.
    assert (late.scores, late.candidates) == ({}, 0)
    assert spent.hit


@pytest.fixture
def long_lists(tmp_path, monkeypatch):
    """300 articles (posting lists of several 128-posting blocks: the index's blocks made as
    small as Whoosh's default for the test), one build then an update that leaves deleted
    versions behind: "il presidente" is in every article, "il melone" in two."""
    import search.accumulate
    import search.writer

    monkeypatch.setattr(search.writer, "POSTING_BLOCK", 128)
    monkeypatch.setattr(search.accumulate, "LOOKUP_BELOW", 128)
    articles = [
        {
            "id": f"a{i}",
            "title": "",
            "body": f"Il presidente parla il giorno {i}. "
            + ("Il melone costa caro. " if i in (7, 250) else "")
            + ("Il presidente firma. " * (i % 3)),
        }
        for i in range(300)
    ]
    build_index([write_jsonl(tmp_path / "a.jsonl", articles)], tmp_path / "ix", procs=1)
    changed = [dict(a, body=a["body"] + " Aggiornato.") for a in articles[100:140]]
    update_index([write_jsonl(tmp_path / "u.jsonl", changed)], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    yield handle
    handle.close()


def test_whole_posting_lists_are_whooshs(long_lists):
    """Lists read in one piece from the postings file: Whoosh's docnums and weights, live only,
    and for the positional field Whoosh's positions too (from the same decoding)."""
    with long_lists.searcher() as base:
        reader = base.reader()
        assert reader.has_deletions()
        checked = 0
        for segreader, _ in reader.leaf_readers():
            lengths = Lengths()
            for fieldname, btext in segreader.all_terms():
                if fieldname not in ("text", "exact"):
                    continue
                matcher = segreader.postings(fieldname, btext)
                expected, where = [], []
                while matcher.is_active():
                    expected.append((matcher.id(), matcher.weight()))
                    if fieldname == "exact":
                        where.extend((matcher.id(), p) for p in matcher.value_as("positions"))
                    matcher.next()
                found = lengths.postings(segreader, fieldname, btext)
                assert list(zip(found[0], found[1], strict=True)) == expected
                if fieldname == "exact" and expected:
                    # Decoded whole with the positions (a phrase's word), then looked up there.
                    whole = Lengths()
                    both = whole._postings_and_positions(segreader, "exact", btext)
                    assert list(zip(both[0], both[1], strict=True)) == expected
                    docs = np.array([d for d, _ in expected], dtype=np.int64)
                    held, positions = whole.positions_at(segreader, "exact", btext, docs)
                    assert list(zip(held.tolist(), positions.tolist(), strict=True)) == where
                    # One candidate: looked up in its posting block only.
                    one = docs[len(docs) // 2 :][:1]
                    held, positions = Lengths().positions_at(segreader, "exact", btext, one)
                    mine = [pair for pair in where if pair[0] == one[0]]
                    assert list(zip(held.tolist(), positions.tolist(), strict=True)) == mine
                checked += len(expected) > 128
        assert checked  # some lists spanned several blocks


@pytest.mark.parametrize("text", ['"il melone"', '"presidente firma"', '"il presidente"'])
def test_a_common_word_looked_up_at_the_candidates_scores_as_whoosh(long_lists, text):
    """A phrase's common word is read only at its rarer words' candidates: the same matches and
    scores as Whoosh's phrase query, and the common word's whole list is never decoded."""
    with long_lists.searcher() as base:
        searcher = ranked_searcher(base)
        q = compile_query(parse(text), searcher.reader()).scored
        ((fieldname, words, boost),) = flat_terms(q, searcher)
        expected = {
            hit.docnum: hit.score
            for hit in searcher.search(wq.Phrase(fieldname, list(words), boost=boost), limit=None)
        }
        lengths = Lengths()
        found = phrase_matches(searcher, fieldname, words, boost, lengths, depth=1000)
        read_whole = {key[2] for key in lengths._postings}  # noqa: SLF001
    assert found.complete
    assert sorted(found.scores) == sorted(expected)
    for docnum, score in expected.items():
        assert found.scores[docnum] == pytest.approx(score, rel=1e-9)
    if text == '"il melone"':
        assert len(expected) == 2
        assert b"il" not in read_whole  # looked up at the two candidates only
    if text == '"il presidente"':
        assert len(expected) == 300


def test_a_common_phrase_is_estimated_from_runs_of_candidates(long_lists):
    """Past its exact limit a phrase verifies its best candidates for the page and estimates its
    total from runs of the rest: every article holds "il presidente"."""
    with long_lists.searcher() as base:
        searcher = ranked_searcher(base)
        found = phrase_matches(
            searcher, "exact", ("il", "presidente"), 1.0, Lengths(), depth=10, exact_up_to=50
        )
    assert len(found.scores) >= 10
    assert not found.complete
    assert (found.candidates, found.sampled, found.sample_hits) == (300, 200, 200)
    assert found.estimate() == 300


def test_which_candidates_hold_a_word_is_the_same_looked_up_or_read_whole(handle, monkeypatch):
    """The story step asks which candidates hold a word: looked up in the posting blocks the
    candidates would be in (few candidates) or read from the whole list, the same answer, the
    segment's deleted documents left out both ways."""
    import search.accumulate as acc

    with handle.searcher() as searcher:
        reader = searcher.reader()
        words = sorted({t.decode() for t in reader.lexicon("text")})
        everyone = list(range(reader.doc_count_all()))
        # Whoosh's own posting lists (the segments' deleted documents already left out).
        expected = [set(searcher.postings("text", word).all_ids()) for word in words]
        whole = Lengths().holding(searcher, "text", words, everyone)
        monkeypatch.setattr(acc, "LOOKUP_BELOW", 0)  # every word looked up
        looked_up = Lengths().holding(searcher, "text", words, everyone)
    assert whole == expected
    assert looked_up == expected
    assert sum(map(len, expected)) > 20
