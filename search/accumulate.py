"""BM25F term at a time: every matching document scored in one pass per term over its postings.

Whoosh scores document at a time through a tree of Python matchers (several calls per posting and
per tree level); for the usual query (an OR of terms: the words in their fields) reading each
term's postings block by block and adding its BM25F contribution into a dict costs a fraction of
that, and it yields the exact count and the set of documents each term matched as by-products.

The scores are Whoosh's own (same formula, statistics, field lengths and boosts; sums may differ in
the last bit, being added in another order): ``tests/test_accumulate.py`` checks them against
Whoosh's. Queries of any other shape (phrases, ANDs of parts, another weighting) are left to
Whoosh: :func:`flat_terms` returns None for them.

This reads Whoosh 2.7.4's posting blocks and length columns directly (its private attributes;
the version is pinned in pyproject.toml).
"""

from __future__ import annotations

import io
import itertools
import struct
import threading
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from pickle import load as pickle_load
from pickle import loads

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.codec import whoosh3
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from search.analysis import IndexWords
from search.schema import POSTING_BLOCK, PackedPositions, decode_packed

_PACKED = PackedPositions()
Term = tuple[str, str, float]  # field, text, boost; or a phrase: field, words, boost

_LENGTHS = [float(byte_to_length(b)) for b in range(256)]
_INT = struct.Struct("!i")  # whoosh.system's int (a posting block's length)


def flat_terms(q: wq.Query, searcher) -> list[Term] | None:
    """The terms of ``q`` when it is an OR tree of terms scored by plain BM25F, else None."""
    if type(searcher.weighting) is not scoring.BM25F:
        return None
    return _flatten(q)


def _flatten(q: wq.Query) -> list[Term] | None:
    if q is wq.NullQuery:
        return []
    if type(q) is wq.Term:
        return [(q.fieldname, q.text, q.boost)]
    if type(q) is wq.Phrase and q.slop == 1 and q.words:
        return [(q.fieldname, tuple(q.words), q.boost)]  # type: ignore[list-item]
    if type(q) is wq.Or and q.boost == 1.0 and not q.minmatch and not q.scale:
        out: list[Term] = []
        for sub in q.subqueries:
            terms = _flatten(sub)
            if terms is None:
                return None
            out.extend(terms)
        return out
    return None


# Decoded posting lists kept per build (the most recently used, up to this many postings: 8
# bytes each, 128 MB at most), so the words news queries share are not unpickled and inflated
# query after query: reading posting lists is most of a query's time. At 100k articles (500
# queries of the benchmark's five kinds in one process) headlines took p50 / p95 39 / 110 ms
# with 16,000,000 and 78 / 180 ms with 4,000,000; the process held 422 MB instead of 319 MB.
CACHED_POSTINGS = 16_000_000
# Decoded posting blocks with positions (phrases), the most recently used up to this many
# postings (a block holds up to 128; a kept posting takes 12 bytes and its encoded positions,
# about 30 more on news text: a worker at 100k articles held 326 MB after 500 queries with
# 4,000,000, 202 MB with 400,000, and answered phrases at p50 49 instead of 113 ms). The
# phrases of a news archive share their common words, whose blocks are the costly ones.
CACHED_POSITIONS = 4_000_000
# Whole posting lists of a phrase's words decoded to arrays of positions, the most recently used
# up to this many positions (4 bytes each, and 12 per posting): a phrase's common words ("di",
# "che", "il") are shared by most phrases, and once decoded they are looked up in a few array
# operations instead of a Python step per candidate.
CACHED_TERM_POSITIONS = 24_000_000
# A phrase's word is decoded whole (and kept) when it holds at most this many times more
# documents than there are candidates to check; past that, it is looked up at the candidates,
# in the posting blocks they are in, unless it is kept whole already.
WHOLE_LIST_PER_CANDIDATE = 16
# Term infos kept per build (a query's words, the story step's), up to this many.
CACHED_INFOS = 100_000
# Document frequencies kept per build (the story step's words), up to this many words.
CACHED_FREQUENCIES = 200_000


class Lengths:
    """Per build and segment: field lengths as floats (a few MB at 100k), the length part of
    BM25 per ranking setting, and recently used posting lists."""

    def __init__(
        self,
        cached_postings: int = CACHED_POSTINGS,
        cached_positions: int = CACHED_POSITIONS,
        cached_term_positions: int = CACHED_TERM_POSITIONS,
    ):
        self._by_segment: dict[tuple[str, str], array] = {}
        self._norms: dict[tuple, list[float]] = {}
        self._postings: OrderedDict[tuple, tuple[array, array]] = OrderedDict()
        self._postings_held = 0
        self._postings_limit = cached_postings
        self._lock = threading.Lock()
        self._heads: dict[tuple, tuple[list[int], list[int]]] = {}
        self._scores: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._scores_held = 0
        self._blocks: OrderedDict[tuple, _Block] = OrderedDict()
        self._blocks_held = 0
        self._blocks_limit = cached_positions
        self._frequencies: dict[tuple[str, str], int] = {}
        self._thread = threading.local()
        self._term_positions: OrderedDict[tuple, _TermPositions] = OrderedDict()
        self._term_positions_held = 0
        self._term_positions_limit = cached_term_positions
        self._deleted: dict[str, frozenset[int]] = {}
        self._infos: dict[tuple, object] = {}

    def term_scores(
        self, segreader, fieldname: str, btext: bytes, idf: float, avgfl: float, b: float, k1: float
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """One term's BM25F (as :func:`_add_phrase` computes it: the same floats) over one
        segment's postings, as ``(docnums, scores)`` arrays in docnum order; kept for the most
        recently used terms."""
        key = (segreader.segment().segment_id(), fieldname, btext, idf, avgfl, b, k1)
        with self._lock:
            found = self._scores.get(key)
            if found is not None:
                self._scores.move_to_end(key)
                return found
        if type(segreader.schema[fieldname].format) is PackedPositions:  # a phrase's word
            postings = self._postings_and_positions(segreader, fieldname, btext)
        else:
            postings = self.postings(segreader, fieldname, btext)
        norms = self.norm_array(segreader, fieldname, avgfl, b, k1)
        if postings is None or norms is None:
            return None
        docs = np.frombuffer(postings[0], dtype=np.uint32)
        found = (docs, _bm25(np.frombuffer(postings[1], dtype=np.float32), norms[docs], idf, k1))
        with self._lock:
            self._scores[key] = found
            self._scores_held += len(docs)
            while self._scores_held > self._postings_limit // 4 and len(self._scores) > 1:
                _, (old, _) = self._scores.popitem(last=False)
                self._scores_held -= len(old)
        return found

    def scores_at(
        self,
        segreader,
        fieldname: str,
        btext: bytes,
        docs: list[int],
        idf: float,
        avgfl: float,
        b: float,
        k1: float,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """:meth:`term_scores` (the same floats) at the sorted ``docs`` of one segment only (those
        holding the term), decoding only the posting blocks they are in: a common word of a phrase
        is looked up at the candidates its rarer words left, not read whole."""
        found = self.values(segreader, fieldname, btext, docs, weights=True)
        norms = self.norm_array(segreader, fieldname, avgfl, b, k1)
        if found is None or norms is None:
            return None
        held = np.fromiter(found, dtype=np.uint32, count=len(found))
        tfs = np.fromiter((tf for tf, _ in found.values()), dtype=np.float32, count=len(found))
        return held, _bm25(tfs, norms[held], idf, k1)

    def _term_heads(self, segreader, fieldname: str, btext: bytes):
        """``(term key, (last docnums, block offsets), leaf or None)`` of one term's posting
        blocks in one segment, the heads kept; None when the postings are not read here."""
        term = (segreader.segment().segment_id(), fieldname, btext)
        leaf = None
        heads = self._heads.get(term)
        if heads is None:
            leaf = _leaf(segreader.postings(fieldname, btext))
            if leaf is None:
                return None
            heads = _block_heads(leaf[0])
            with self._lock:
                if len(self._heads) >= 4096:
                    self._heads.clear()
                self._heads[term] = heads
        return term, heads, leaf

    def _kept_block(self, segreader, fieldname, btext, term, number, offset, leaf):
        """Posting block ``number`` of a term (at file ``offset``), decoded once and kept;
        ``(block, leaf)``, the leaf matcher opened when it was needed; None: not read here."""
        key = (*term, number)
        with self._lock:
            found = self._blocks.get(key)
            if found is not None:
                self._blocks.move_to_end(key)
                return found, leaf
        if leaf is None:
            leaf = _leaf(segreader.postings(fieldname, btext))
            if leaf is None:
                return None
        found = _read_block(leaf[0], offset)
        with self._lock:
            if key not in self._blocks:
                self._blocks[key] = found
                self._blocks_held += len(found.ids)
            while self._blocks_held > self._blocks_limit and self._blocks:
                _, old = self._blocks.popitem(last=False)
                self._blocks_held -= len(old.ids)
        return found, leaf

    def positions_at(
        self, segreader, fieldname: str, btext: bytes, docs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Where one term occurs in the sorted ``docs`` (int64 docnums of one segment) that hold
        it: ``(docnum, position)`` pairs as two int64 arrays, a document's positions ascending.
        Only the posting blocks the documents are in are decoded (and kept); None when the
        postings are not in a form read here."""
        whole = self._whole_positions(segreader, fieldname, btext, len(docs))
        if whole is not None:
            return whole.at(docs)
        found = self._term_heads(segreader, fieldname, btext)
        if found is None:
            return None
        term, (maxids, offsets), leaf = found
        where = np.searchsorted(np.asarray(maxids, dtype=np.int64), docs)
        held: list[np.ndarray] = []
        values: list[bytes] = []
        for number in _distinct(where).tolist():
            if number >= len(maxids):
                break
            kept = self._kept_block(
                segreader, fieldname, btext, term, number, offsets[number], leaf
            )
            if kept is None:
                return None
            block, leaf = kept
            wanted = docs[where == number]
            ids = np.frombuffer(block.ids, dtype=np.uint32)
            at = np.searchsorted(ids, wanted)
            inside = at < len(ids)
            at, wanted = at[inside], wanted[inside]
            hit = ids[at] == wanted
            held.append(wanted[hit])
            values.extend(map(block.value, at[hit].tolist()))
        if not values:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        counts, positions = decode_packed(values)
        return np.repeat(np.concatenate(held), counts), positions.astype(np.int64)

    def _whole_positions(self, segreader, fieldname: str, btext: bytes, candidates: int):
        """One term's whole decoded positions in one segment when kept, or when the term is
        short enough beside ``candidates`` to decode whole (then kept); else None."""
        key = (segreader.segment().segment_id(), fieldname, btext)
        with self._lock:
            found = self._term_positions.get(key)
            if found is not None:
                self._term_positions.move_to_end(key)
                return found
        info = self.info(segreader, fieldname, btext)
        if info is None or info.doc_frequency() > WHOLE_LIST_PER_CANDIDATE * candidates:
            return None
        raw = _list_bytes(segreader, self.info(segreader, fieldname, btext))
        if raw is None:
            return None
        found = _decode_positions_list(raw, self.deleted(segreader))
        if found is not None:
            self._keep_term_positions(key, found)
        return found

    def _keep_term_positions(self, key: tuple, found: _TermPositions) -> None:
        size = found.size()
        if size > self._term_positions_limit // 4:
            return
        with self._lock:
            if key not in self._term_positions:
                self._term_positions[key] = found
                self._term_positions_held += size
            while self._term_positions_held > self._term_positions_limit:
                _, old = self._term_positions.popitem(last=False)
                self._term_positions_held -= old.size()

    def info(self, segreader, fieldname: str, btext: bytes):
        """A term's term info in one segment (its document frequency, where its postings are),
        or None when the segment lacks it; kept per build (one hash lookup in the terms file
        instead of one for ``in``, one for the frequency and one for the postings)."""
        key = (segreader.segment().segment_id(), fieldname, btext)
        try:
            return self._infos[key]
        except KeyError:
            pass
        terms = segreader._terms  # noqa: SLF001 (pinned Whoosh 2.7.4)
        try:
            found = terms.term_info(fieldname, btext)
        except TermNotFound:
            found = None
        if len(self._infos) >= CACHED_INFOS:
            self._infos.clear()
        self._infos[key] = found
        return found

    def kept_whole(self, segreader, fieldname: str, btext: bytes) -> bool:
        """Whether a term's whole positions in a segment are kept (cheapest to look up)."""
        return (segreader.segment().segment_id(), fieldname, btext) in self._term_positions

    def _postings_and_positions(self, segreader, fieldname: str, btext: bytes):
        """:meth:`postings` of a positional field's term, its whole positions kept from the
        same decoding (a phrase's word: scored whole, then checked at its candidates)."""
        key = (segreader.segment().segment_id(), fieldname, btext)
        found = self._kept_postings(key)
        if found is not None:
            return found
        raw = _list_bytes(segreader, self.info(segreader, fieldname, btext))
        both = None if raw is None else _decode_with_positions(raw, self.deleted(segreader))
        if both is None:
            return None
        found, positions = both
        self._keep_postings(key, found)
        self._keep_term_positions(key, positions)
        return found

    def values(
        self, segreader, fieldname: str, btext: bytes, docs: list[int], weights: bool = False
    ) -> dict | None:
        """``{docnum: encoded value}`` (``weights``: ``{docnum: (weight, encoded value)}``) of one
        term for the sorted ``docs`` of one segment (those it holds), decoding only the posting
        blocks they are in, and keeping those blocks."""
        found = self._term_heads(segreader, fieldname, btext)
        if found is None:
            return None
        term, heads, leaf = found
        maxids, offsets = heads
        out = {}
        block = -1
        ids: array = array("I")
        for d in docs:
            if block < 0 or d > maxids[block]:
                block = bisect_left(maxids, d, max(block, 0))
                if block == len(maxids):
                    break
                kept = self._kept_block(
                    segreader, fieldname, btext, term, block, offsets[block], leaf
                )
                if kept is None:
                    return None
                found, leaf = kept
                ids = found.ids
            i = bisect_left(ids, d)
            if i < len(ids) and ids[i] == d:
                out[d] = (found.weights[i], found.value(i)) if weights else found.value(i)
        return out

    def postings(self, segreader, fieldname: str, btext: bytes) -> tuple[array, array] | None:
        """One term's live postings in one segment, as (docnums, weights)."""
        key = (segreader.segment().segment_id(), fieldname, btext)
        found = self._kept_postings(key)
        if found is not None:
            return found
        raw = _list_bytes(segreader, self.info(segreader, fieldname, btext))
        found = None if raw is None else _decode_postings(raw, self.deleted(segreader))
        if found is not None:
            self._keep_postings(key, found)
        return found

    def _kept_postings(self, key: tuple) -> tuple[array, array] | None:
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
            return found

    def _keep_postings(self, key: tuple, found: tuple[array, array]) -> None:
        if len(found[0]) > self._postings_limit // 4:
            return
        with self._lock:
            if key in self._postings:
                return
            self._postings[key] = found
            self._postings_held += len(found[0])
            while self._postings_held > self._postings_limit:
                _, (old_ids, _) = self._postings.popitem(last=False)
                self._postings_held -= len(old_ids)

    def deleted(self, segreader) -> frozenset[int]:
        """The segment's deleted documents (fixed for a build: its segments never change)."""
        key = segreader.segment().segment_id()
        found = self._deleted.get(key)
        if found is None:
            found = self._deleted[key] = frozenset(segreader._perdoc.deleted_docs())  # noqa: SLF001
        return found

    def words(self) -> IndexWords:
        """This thread's analysed-word cache (the stemmer keeps state: one per thread)."""
        words = getattr(self._thread, "words", None)
        if words is None:
            words = self._thread.words = IndexWords()
        return words

    def doc_frequency(self, reader, fieldname: str, text: str) -> int:
        """``reader.doc_frequency``, remembered per build (a word's frequency is looked up once
        for the story step of many queries)."""
        key = (fieldname, text)
        found = self._frequencies.get(key)
        if found is None:
            if len(self._frequencies) >= CACHED_FREQUENCIES:
                self._frequencies.clear()
            btext = reader.schema[fieldname].to_bytes(text)
            found = 0
            for segreader, _ in reader.leaf_readers():
                info = self.info(segreader, fieldname, btext)
                found += info.doc_frequency() if info is not None else 0
            self._frequencies[key] = found
        return found

    def holding(self, searcher, fieldname: str, texts: list[str], docnums: list[int]):
        """For each of ``texts`` (words of ``fieldname``), which of the global ``docnums`` hold
        it, from the cached posting lists; None when a posting list is not in a form read here."""
        field = searcher.schema[fieldname]
        wanted = np.array(sorted(docnums), dtype=np.int64)
        leaves = list(searcher.reader().leaf_readers())
        out = []
        for text in texts:
            btext = field.to_bytes(text)
            found: set[int] = set()
            for segreader, offset in leaves:
                info = self.info(segreader, fieldname, btext)
                if info is None:
                    continue
                local = wanted[(wanted >= offset) & (wanted < offset + segreader.doc_count_all())]
                if not len(local):
                    continue
                key = (segreader.segment().segment_id(), fieldname, btext)
                if (
                    key not in self._postings
                    and len(local) * LOOKUP_BELOW <= info.doc_frequency()
                ):
                    # Far fewer documents to check than the word has posting blocks: look
                    # them up in their blocks instead of reading the whole list.
                    held = self.held_at(segreader, fieldname, btext, local - offset)
                    if held is None:
                        return None
                    found.update((held + offset).tolist())
                    continue
                postings = self.postings(segreader, fieldname, btext)
                if postings is None:
                    return None
                ids = np.frombuffer(postings[0], dtype=np.uint32).astype(np.int64) + offset
                found.update(local[holds(ids, local)].tolist())
            out.append(found)
        return out

    def held_at(self, segreader, fieldname: str, btext: bytes, docs: np.ndarray):
        """Which of the sorted ``docs`` (int64 docnums of one segment) hold the term, from the
        docnums of the posting blocks they would be in (None: postings not read here)."""
        found = self._term_heads(segreader, fieldname, btext)
        if found is None:
            return None
        _term, (maxids, offsets), leaf = found
        if leaf is None:
            leaf = _leaf(segreader.postings(fieldname, btext))
            if leaf is None:
                return None
        matcher, deleted = leaf
        where = np.searchsorted(np.asarray(maxids, dtype=np.int64), docs)
        held = []
        for number in _distinct(where).tolist():
            if number >= len(maxids):
                break
            matcher._goto(offsets[number])  # noqa: SLF001
            ids = np.asarray(_block_ids(matcher), dtype=np.int64)
            wanted = docs[where == number]
            held.append(wanted[holds(ids, wanted)])
        if not held:
            return np.empty(0, dtype=np.int64)
        out = np.concatenate(held)
        if deleted:
            out = out[[d not in deleted for d in out.tolist()]]
        return out

    def of(self, segreader, fieldname: str) -> array | None:
        key = (segreader.segment().segment_id(), fieldname)
        found = self._by_segment.get(key)
        if found is None:
            column = segreader._perdoc._cached_reader(  # noqa: SLF001 (pinned Whoosh 2.7.4)
                whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN
            )
            if column is None:
                return None
            found = self._by_segment[key] = array("d", (_LENGTHS[b] for b in column))
        return found

    def norm_array(self, segreader, fieldname: str, avgfl: float, b: float, k1: float):
        """:meth:`norms` as a float64 array (the same floats), for the vectorised pass."""
        key = ("array", segreader.segment().segment_id(), fieldname, avgfl, b, k1)
        found = self._norms.get(key)
        if found is None:
            norms = self.norms(segreader, fieldname, avgfl, b, k1)
            if norms is None:
                return None
            found = self._norms[key] = np.array(norms, dtype=np.float64)
        return found

    def norms(self, segreader, fieldname: str, avgfl: float, b: float, k1: float):
        """The length part of bm25(), ``k1 * ((1 - b) + b * fl / avgfl)``, per document, written
        as Whoosh writes it (the same floats); kept for the last few ranking settings."""
        key = (segreader.segment().segment_id(), fieldname, avgfl, b, k1)
        found = self._norms.get(key)
        if found is None:
            lens = self.of(segreader, fieldname)
            if lens is None:
                return None
            if len(self._norms) >= 32:
                self._norms.clear()
            found = self._norms[key] = [k1 * ((1 - b) + b * fl / avgfl) for fl in lens]
        return found


@dataclass
class Scored:
    """Every match of a query with its BM25F score: global docnums (ascending) and scores as
    arrays (a dict of 100,000 matches took longer to build than the scores to add)."""

    docs: np.ndarray  # int64
    scores: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.docs)

    def within(self, allow, restrict) -> Scored:
        """The matches a filter allows (``allow``: docnums, or None) and an exclusion keeps."""
        keep = np.ones(len(self.docs), dtype=bool)
        if allow is not None:
            keep &= np.isin(self.docs, np.fromiter(allow, dtype=np.int64, count=len(allow)))
        if restrict is not None:
            keep &= ~np.isin(self.docs, np.fromiter(restrict, dtype=np.int64, count=len(restrict)))
        return Scored(self.docs[keep], self.scores[keep])

    def best(self, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best ``(docnum, score)``, ties to the lower docnum (as Whoosh orders
        them, and as :func:`search.collecting.best` does for a dict)."""
        if limit <= 0 or not len(self.docs):
            return []
        docs, scores = self.docs, self.scores
        if len(scores) > 4 * limit:
            # The limit-th best score, then only the matches at or above it (ties included).
            cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            keep = scores >= cut
            docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))[:limit]
        return list(zip(docs[order].tolist(), scores[order].tolist(), strict=True))

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.docs.tolist(), self.scores.tolist(), strict=True))


def accumulate(
    searcher, terms: list[Term], lengths: Lengths, deadline=None
) -> tuple[Scored, list[set[int]]] | None:
    """BM25F scores of every document matching any of ``terms`` (global docnums), and the
    documents each term matched (containers: ``docnum in matched[i]``); None when a posting list
    is not in a form read here."""
    weighting = searcher.weighting
    k1 = weighting.K1
    # Scores of every document, added term by term as whole arrays (numpy: the same float
    # operations in the same order as Whoosh's bm25(), a posting list at a time in C).
    size = searcher.doc_count_all()
    summed = np.zeros(size, dtype=np.float64)
    hit = np.zeros(size, dtype=bool)
    matched: list[TermDocs | set[int]] = []
    schema = searcher.schema
    for fieldname, text, boost in terms:
        if fieldname not in schema:
            matched.append(set())
            continue
        if isinstance(text, tuple):
            docs: set[int] = set()
            matched.append(docs)
            phrase: dict[int, float] = {}
            if not _add_phrase(searcher, fieldname, text, boost, lengths, phrase, docs, deadline):
                return None
            if phrase:
                where = np.fromiter(phrase.keys(), dtype=np.int64, count=len(phrase))
                summed[where] += np.fromiter(phrase.values(), dtype=np.float64, count=len(phrase))
                hit[where] = True
            if deadline is not None and deadline.passed():
                break
            continue
        field = schema[fieldname]
        btext = field.to_bytes(text)
        term_docs = TermDocs()
        matched.append(term_docs)
        if (fieldname, btext) not in searcher.reader():
            continue
        if not field.scorable:
            return None
        b = weighting._field_B.get(fieldname, weighting.B)  # noqa: SLF001
        idf = searcher.idf(fieldname, btext)
        avgfl = searcher.avg_field_length(fieldname) or 1
        for segreader, offset in searcher.reader().leaf_readers():
            if lengths.info(segreader, fieldname, btext) is None:
                continue
            postings = lengths.postings(segreader, fieldname, btext)
            norms = lengths.norm_array(segreader, fieldname, avgfl, b, k1)
            if postings is None or norms is None:
                return None
            _add_postings(*postings, norms, idf, k1, boost, offset, summed, hit)
            term_docs.add(offset, postings[0])
        if deadline is not None and deadline.passed():
            break
    found = np.flatnonzero(hit)
    return Scored(found.astype(np.int64), summed[found]), matched


class TermDocs:
    """The documents a term matched, as its posting lists (sorted docnums per segment): asked
    about a few candidates only, never turned into a set of every match."""

    def __init__(self):
        self._lists: list[tuple[int, array]] = []

    def add(self, offset: int, ids: array) -> None:
        self._lists.append((offset, ids))

    def __contains__(self, docnum: int) -> bool:
        for offset, ids in self._lists:
            d = docnum - offset
            if d >= 0 and ids and d <= ids[-1]:
                i = bisect_left(ids, d)
                if ids[i] == d:
                    return True
        return False


class AnyOf:
    """The documents any of several terms matched (a clause's terms)."""

    def __init__(self, parts):
        self._parts = list(parts)

    def __contains__(self, docnum: int) -> bool:
        return any(docnum in part for part in self._parts)


def _add_postings(ids, weights, norms, idf, k1, boost, offset, summed, hit):
    """Add one segment's postings of one term (Whoosh's bm25() and boost, term by term) into the
    per-document sums; ``norms``: :meth:`Lengths.norm_array`."""
    if not ids:
        return
    local = np.frombuffer(ids, dtype=np.uint32)
    part = _bm25(np.frombuffer(weights, dtype=np.float32), norms[local], idf, k1)
    if boost != 1.0:  # the Term's boost, applied as Whoosh's WrappingMatcher does
        part = part * boost
    where = local.astype(np.int64) + offset
    summed[where] += part  # a posting list holds each document once
    hit[where] = True


def _leaf(matcher) -> tuple[whoosh3.W3LeafMatcher, frozenset[int]] | None:
    """A segment's leaf matcher of one term and the segment's deleted documents it skips, or
    None when the matcher is not that shape (Whoosh's own matchers take over)."""
    deleted: frozenset[int] = frozenset()
    if isinstance(matcher, FilterMatcher):  # the segment's deleted documents
        if not matcher._exclude:  # noqa: SLF001
            return None
        deleted = frozenset(matcher._ids)  # noqa: SLF001
        matcher = matcher.child
    if type(matcher) is not whoosh3.W3LeafMatcher:
        return None
    return matcher, deleted


def _list_bytes(segreader, info) -> bytes | None:
    """A term's whole posting list in one segment as stored (Whoosh's blocks), read straight
    from the postings file by its term info (:meth:`Lengths.info`): no matcher (which reads the
    first block's header besides) is made; None when the list is inlined in its term info or
    not Whoosh 2.7.4's layout."""
    terms = segreader._terms  # noqa: SLF001 (pinned Whoosh 2.7.4)
    if info is None or type(terms) is not whoosh3.W3TermsReader or info.is_inlined():
        return None
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it a 1-tuple
        (length,) = length
    return terms._postfile.get(offset, length)  # noqa: SLF001


def _list_blocks(raw: bytes):
    """The blocks of a posting list's bytes (:func:`_list_bytes`) as ``(docnums, weights,
    values)``: the block layout of ``W3PostingsWriter._write_block`` (length, pickled block info,
    pickled and compressed data) decoded from the bytes, instead of a seek and several reads per
    block through a matcher. The list must start with Whoosh's header (see the callers)."""
    view = io.BytesIO(raw)
    position, end = 4, len(raw)
    while position < end:
        (length,) = _INT.unpack_from(raw, position)  # negative: the last block
        view.seek(position + _INT_SIZE)
        count, _maxid, _maxweight, compression, _minlength, _maxlength = pickle_load(view)
        position += _INT_SIZE + abs(length)
        data = raw[view.tell() : position]
        block_ids, block_weights, values = loads(zlib.decompress(data) if compression else data)
        block_ids = array("I", itertools.accumulate(block_ids))
        if block_weights is None:
            block_weights = array("f", [1.0]) * count
        elif isinstance(block_weights, float):
            block_weights = array("f", [block_weights]) * count
        yield block_ids, block_weights, values
        if length < 0:  # the last block
            break


def _decode_postings(raw: bytes, deleted) -> tuple[array, array] | None:
    """A segment's whole posting list of one term as (docnums, weights), live documents only,
    from the list's bytes and the segment's deleted documents."""
    if raw[:4] != whoosh3.WHOOSH3_HEADER_MAGIC:
        return None
    ids, weights = array("I"), array("f")
    for block_ids, block_weights, _values in _list_blocks(raw):
        _extend_live(ids, weights, block_ids, block_weights, deleted)
    return ids, weights


class _TermPositions:
    """One term's live postings in one segment with their positions, as arrays: docnums
    (ascending), where each document's positions start in ``positions`` (and where the last
    ends), the positions."""

    __slots__ = ("ids", "starts", "positions")

    def __init__(self, ids: np.ndarray, counts: np.ndarray, positions: np.ndarray):
        self.ids = ids
        self.starts = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.starts[1:])
        self.positions = positions.astype(np.int32)

    def size(self) -> int:
        """What it holds, in positions (a posting's docnum and start count as three)."""
        return len(self.positions) + 3 * len(self.ids)

    def at(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(docnum, position)`` pairs of the sorted ``docs`` holding the term (int64)."""
        at = np.searchsorted(self.ids, docs)
        inside = at < len(self.ids)
        at, docs = at[inside], docs[inside]
        hit = self.ids[at] == docs
        at, docs = at[hit], docs[hit]
        firsts = self.starts[at]
        counts = self.starts[at + 1] - firsts
        # The positions of each held document, one stretch after another.
        skip = np.repeat(firsts - (np.cumsum(counts) - counts), counts)
        where = skip + np.arange(int(counts.sum()), dtype=np.int64)
        return np.repeat(docs, counts), self.positions[where].astype(np.int64)


def _decode_positions_list(raw: bytes, deleted) -> _TermPositions | None:
    """A segment's whole posting list of one term with its positions (live documents only),
    from the list's bytes and the segment's deleted documents; None when not read here."""
    both = _decode_with_positions(raw, deleted)
    return None if both is None else both[1]


def _decode_with_positions(raw: bytes, deleted):
    """A whole posting list's ``(docnums, weights)`` (as :func:`_decode_postings`) and its
    :class:`_TermPositions`, from one decoding of its blocks; None when not read here."""
    if raw[:4] != whoosh3.WHOOSH3_HEADER_MAGIC:
        return None
    ids, weights = array("I"), array("f")
    values: list[bytes] = []
    for block_ids, block_weights, block_values in _list_blocks(raw):
        if block_values is None:
            return None
        if deleted:
            live = [i for i, d in enumerate(block_ids) if d not in deleted]
            block_ids = array("I", [block_ids[i] for i in live])
            block_weights = array("f", [block_weights[i] for i in live])
            block_values = [block_values[i] for i in live]
        ids.extend(block_ids)
        weights.extend(block_weights)
        values.extend(block_values)
    docs = np.frombuffer(ids, dtype=np.uint32).astype(np.int64)
    if not values:
        return (ids, weights), _TermPositions(docs, np.empty(0, np.int64), np.empty(0, np.int64))
    counts, positions = decode_packed(values)
    return (ids, weights), _TermPositions(docs, counts, positions)


def _extend_live(ids: array, weights: array, block_ids, block_weights, deleted) -> None:
    """Append one posting block's docnums and weights, but for the segment's ``deleted``."""
    if deleted:
        live = [i for i, d in enumerate(block_ids) if d not in deleted]
        ids.extend(block_ids[i] for i in live)
        weights.extend(block_weights[i] for i in live)
    else:
        ids.extend(block_ids)
        weights.extend(block_weights)


def _phrase_terms(searcher, fieldname: str, words):
    """A phrase's BM25F settings and words, shared by both phrase passes: ``(k1, b, avgfl, btexts,
    idfs, rarest_first)``, or None when a word is not in the index (no document has the phrase)."""
    field = searcher.schema[fieldname]
    reader = searcher.reader()
    btexts = [field.to_bytes(w) for w in words]
    if any((fieldname, t) not in reader for t in btexts):
        return None
    weighting = searcher.weighting
    b = weighting._field_B.get(fieldname, weighting.B)  # noqa: SLF001
    avgfl = searcher.avg_field_length(fieldname) or 1
    idfs = {t: searcher.idf(fieldname, t) for t in btexts}
    rarest_first = sorted(set(btexts), key=lambda t: reader.doc_frequency(fieldname, t))
    return weighting.K1, b, avgfl, btexts, idfs, rarest_first


def _add_phrase(searcher, fieldname, words, boost, lengths, scores, docs, deadline=None) -> bool:
    """Add the documents holding ``words`` in sequence, scored as Whoosh scores a phrase (the sum
    of its words' BM25F); False when the postings are not in a form read here."""
    field = searcher.schema[fieldname]
    if not field.scorable or not field.format.supports("positions"):
        return False
    terms = _phrase_terms(searcher, fieldname, words)
    if terms is None:
        return True  # a word the index lacks: no document has the phrase
    k1, b, avgfl, btexts, idfs, rarest_first = terms
    reader = searcher.reader()
    if type(field.format) is not PackedPositions:
        return False
    order = _checking_order(btexts, rarest_first)
    for segreader, offset in reader.leaf_readers():
        postings: dict[bytes, dict[int, tuple[float, bytes]]] = {}
        candidates: set[int] | None = None
        for btext in rarest_first:
            if (fieldname, btext) not in segreader:
                candidates = set()
                break
            if candidates is None:  # the rarest word: its whole (live) posting list
                found = _postings_with_values(segreader.postings(fieldname, btext), None)
            else:  # the others at the candidates only, from the kept blocks
                found = lengths.values(segreader, fieldname, btext, sorted(candidates), True)
            if found is None:
                return False
            postings[btext] = found
            candidates = set(found) if candidates is None else candidates & found.keys()
            if not candidates:
                break
        if not candidates:
            continue
        lens = lengths.of(segreader, fieldname)
        if lens is None:
            return False
        for n, docnum in enumerate(sorted(candidates), 1):
            if deadline is not None and not n % 256 and deadline.passed():
                break  # the documents checked so far (the caller sees the deadline)
            if not _in_sequence(order, postings, docnum):
                continue
            fl = lens[docnum]
            s = 0.0
            for btext in btexts:
                tf = postings[btext][docnum][0]
                idf = idfs[btext]
                s += idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))
            if boost != 1.0:
                s = s * boost
            g = docnum + offset
            scores[g] = scores.get(g, 0.0) + s
            docs.add(g)
    return True


def _positions(value: bytes) -> list[int]:
    """The positions in a :class:`PackedPositions` posting value."""
    return _PACKED.decode_positions(value)


def _postings_with_values(matcher, only: set[int] | None) -> dict[int, tuple[float, bytes]] | None:
    """``{docnum: (weight, encoded positions)}`` of one segment's posting list (live documents,
    limited to ``only`` when given)."""
    leaf = _leaf(matcher)
    if leaf is None:
        return None
    matcher, deleted = leaf
    out: dict[int, tuple[float, bytes]] = {}
    while matcher.is_active():
        ids = _block_ids(matcher)
        if only is None or not only.isdisjoint(ids):
            matcher._read_weights()  # noqa: SLF001
            matcher._read_values()  # noqa: SLF001
            weights = matcher._weights  # noqa: SLF001
            values = matcher._values  # noqa: SLF001
            for i, docnum in enumerate(ids):
                if (only is None or docnum in only) and docnum not in deleted:
                    out[docnum] = (weights[i], values[i])
        matcher._next_block()  # noqa: SLF001
    return out


def matching_docs(searcher, q: wq.Query, lengths: Lengths) -> set[int] | None:
    """The documents ``q`` matches, unscored, from whole posting lists: an OR of terms and
    phrases, or an AND of such (sorting by date needs them all); None for other shapes."""
    if type(q) is wq.And and q.boost == 1.0:
        out: set[int] | None = None
        for sub in sorted(q.subqueries, key=lambda sub: sub.estimate_size(searcher.reader())):
            docs = matching_docs(searcher, sub, lengths)
            if docs is None:
                return None
            out = docs if out is None else out & docs
            if not out:
                return set()
        return out if out is not None else set()
    terms = flat_terms(q, searcher)
    if terms is None:
        return None
    out = set()
    for fieldname, text, boost in terms:
        if fieldname not in searcher.schema:
            continue
        if isinstance(text, tuple):
            docs: set[int] = set()
            if not _add_phrase(searcher, fieldname, text, boost, lengths, {}, docs):
                return None
            out |= docs
            continue
        btext = searcher.schema[fieldname].to_bytes(text)
        for segreader, offset in searcher.reader().leaf_readers():
            if lengths.info(segreader, fieldname, btext) is None:
                continue
            postings = lengths.postings(segreader, fieldname, btext)
            if postings is None:
                return None
            out.update(postings[0] if not offset else (d + offset for d in postings[0]))
    return out


# ----------------------------------------------------------------------------- a phrase alone

# A phrase alone has every candidate (a document with all its words) verified, positions and all,
# only while the candidates are this few; beyond, they are verified best first (a phrase scores
# the sum of its words' BM25F, known from the posting lists without positions) until the page is
# full, and the total is estimated from the share of those verified that held the phrase.
PHRASE_EXACT_CANDIDATES = 1000
# Candidates verified in the first pass (then doubling): each costs a posting block per word to
# decode (when it is not kept), and a common phrase fills its page from its first few dozen.
PHRASE_BATCH = 32
# Candidates verified at most before settling for ``enough`` matches instead of ``depth``: a rare
# phrase of common words ("di fuoco il": 119 matches among 14,000 candidates) would otherwise
# verify every candidate to look for matches that do not exist.
PHRASE_TRIES = 2000
# Candidates verified to estimate a phrase's total: this many runs of consecutive candidates,
# evenly spread over the archive (a run shares its posting blocks: a few blocks per word to
# decode instead of one per candidate).
PHRASE_SAMPLE = 200
PHRASE_SAMPLE_RUNS = 10
# A word is looked up at its candidates (the posting blocks they are in) rather than read whole
# when it is in at least this many times more documents than there are candidates: as many as a
# posting block holds (fewer candidates than the list has blocks).
LOOKUP_BELOW = POSTING_BLOCK


@dataclass
class PhraseMatches:
    """The verified matches of a phrase (global docnum -> score) and how far verification got."""

    scores: dict[int, float]
    candidates: int  # documents holding every word of the phrase (within the filters)
    tried: int  # of those, how many were verified (best first)
    sampled: int = 0  # candidates verified for the estimate (an even sample of them all)
    sample_hits: int = 0  # of those, how many hold the phrase

    @property
    def complete(self) -> bool:
        return self.tried >= self.candidates

    def estimate(self) -> int:
        """The number of documents holding the phrase: exact when complete."""
        if self.complete or not self.tried:
            return len(self.scores)
        if self.sampled:
            share = self.sample_hits / self.sampled
        else:
            share = len(self.scores) / self.tried
        return max(len(self.scores), round(share * self.candidates))


def phrase_matches(
    searcher,
    fieldname: str,
    words: tuple[str, ...],
    boost: float,
    lengths: Lengths,
    depth: int,
    allow=None,
    restrict=None,
    deadline=None,
    exact_up_to: int = PHRASE_EXACT_CANDIDATES,
    batch: int = PHRASE_BATCH,
    enough: int | None = None,
    tries: int = PHRASE_TRIES,
) -> PhraseMatches | None:
    """The documents holding ``words`` in sequence, scored as :func:`_add_phrase` scores them
    (the same floats): all of them when the candidates are at most ``exact_up_to``, otherwise the
    best ``depth`` (in the order ``best()`` gives, so they are the top ``depth`` of verifying every
    candidate), or once ``tries`` candidates were verified, the best ``enough`` (the same top,
    shorter). None when the postings are not in a form read here."""
    enough = depth if enough is None else min(enough, depth)
    schema = searcher.schema
    if fieldname not in schema:
        return PhraseMatches({}, 0, 0)
    field = schema[fieldname]
    if not field.scorable or type(field.format) is not PackedPositions:
        return None
    terms = _phrase_terms(searcher, fieldname, words)
    if terms is None:
        return PhraseMatches({}, 0, 0)
    k1, b, avgfl, btexts, idfs, rarest_first = terms
    reader = searcher.reader()
    # Every candidate's global docnum and score, segment by segment (ascending docnums).
    cand_docs: list[np.ndarray] = []
    cand_scores: list[np.ndarray] = []
    leaves = list(reader.leaf_readers())
    starts_at = [offset for _, offset in leaves]
    for segreader, offset in leaves:
        if any((fieldname, t) not in segreader for t in rarest_first):
            continue
        # The words rarest first, the candidates narrowed word by word: a long phrase of common
        # words usually has no candidate left after a few, and the rest are never read.
        term_scores: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        local = np.empty(0, dtype=np.uint32)
        for btext in rarest_first:
            if term_scores and deadline is not None and deadline.passed():
                # Past the work budget before every word was read: nothing verified here (the
                # search says its count is not exact).
                local = local[:0]
                break
            if (
                term_scores
                and not lengths.kept_whole(segreader, fieldname, btext)
                and len(local) * WHOLE_LIST_PER_CANDIDATE
                <= segreader.doc_frequency(fieldname, btext)
            ):
                # Far fewer candidates than the word has documents: look it up in the blocks
                # they are in (decoding a few of its postings, not all of its positions).
                found = lengths.scores_at(
                    segreader, fieldname, btext, local.tolist(), idfs[btext], avgfl, b, k1
                )
            else:
                found = lengths.term_scores(segreader, fieldname, btext, idfs[btext], avgfl, b, k1)
            if found is None:
                return None
            term_scores[btext] = found
            local = found[0] if len(term_scores) == 1 else local[holds(found[0], local)]
            if not len(local):
                break
        if len(local) and (allow is not None or restrict is not None):
            keep = [
                (allow is None or d + offset in allow)
                and (restrict is None or d + offset not in restrict)
                for d in local.tolist()
            ]
            local = local[np.array(keep, dtype=bool)]
        if not len(local):
            continue
        # The phrase's score: its words' BM25F added in the phrase's order, as _add_phrase adds
        # them (the same floats).
        summed = None
        for btext in btexts:
            word_docs, word_scores = term_scores[btext]
            these = word_scores[np.searchsorted(word_docs, local)]
            summed = these.copy() if summed is None else summed + these
        if boost != 1.0:
            summed = summed * boost
        cand_docs.append(local.astype(np.int64) + offset)
        cand_scores.append(summed)
    docs_all = np.concatenate(cand_docs) if cand_docs else np.empty(0, dtype=np.int64)
    scores_all = np.concatenate(cand_scores) if cand_scores else np.empty(0)
    total = len(docs_all)
    scores: dict[int, float] = {}
    tried = 0
    ordered: list[int] = []
    score_of: dict[int, float] = {}
    if total <= exact_up_to:
        ordered = docs_all.tolist()  # all of them are verified: any order
        score_of = dict(zip(ordered, scores_all.tolist(), strict=True))
    else:
        ascending = np.sort(-scores_all)
    while tried < total:
        if total > exact_up_to and (
            len(scores) >= depth or (tried >= tries and len(scores) >= enough)
        ):
            break
        if deadline is not None and tried and deadline.passed():
            break
        if total > exact_up_to and len(ordered) <= tried:
            # The best candidates in best() order (score, then lower docnum): every candidate
            # scoring at least the cut, ties included, is the same first stretch of that order.
            cut = ascending[min(total, tried + batch) - 1]
            top = np.flatnonzero(-scores_all <= cut)
            top = top[np.lexsort((docs_all[top], -scores_all[top]))]
            ordered = docs_all[top].tolist()
            score_of = dict(zip(ordered, scores_all[top].tolist(), strict=True))
            batch *= 2
        chunk = ordered[tried:] if total > exact_up_to else ordered
        holding = _holding(leaves, starts_at, lengths, fieldname, btexts, rarest_first, chunk)
        if holding is None:
            return None
        for g in holding:
            scores[g] = score_of[g]
        tried += len(chunk)
    found = PhraseMatches(scores, total, tried)
    if tried < total and not (deadline is not None and deadline.passed()):
        # The best candidates hold the phrase more often than the rest (they hold its words
        # more often): the total is estimated from an even sample of all the candidates.
        sample = _runs(docs_all.tolist(), PHRASE_SAMPLE, PHRASE_SAMPLE_RUNS)
        holding = _holding(leaves, starts_at, lengths, fieldname, btexts, rarest_first, sample)
        if holding is None:
            return None
        found.sampled, found.sample_hits = len(sample), len(holding)
    return found


def _bm25(tfs: np.ndarray, norms: np.ndarray, idf: float, k1: float) -> np.ndarray:
    """``idf * ((tf * (k1 + 1)) / (tf + norm))`` per posting, as float64: the same floats as the
    Python expression over the same numbers."""
    tf = tfs.astype(np.float64)
    return idf * ((tf * (k1 + 1)) / (tf + norms))


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array (``np.unique`` without its sort, and without
    the import of ``numpy.ma`` its first call makes: 20 ms)."""
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def holds(docs: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which of ``wanted`` are in ``docs`` (both sorted docnum arrays), as a boolean mask."""
    at = np.searchsorted(docs, wanted)
    inside = at < len(docs)
    mask = np.zeros(len(wanted), dtype=bool)
    mask[inside] = docs[at[inside]] == wanted[inside]
    return mask


def _runs(items: list, size: int, runs: int) -> list:
    """``size`` of ``items`` in ``runs`` stretches of consecutive ones, evenly spread (all of
    them when they are no more than ``size``)."""
    if len(items) <= size:
        return list(items)
    each = size // runs
    step = len(items) // runs
    return [x for start in range(0, step * runs, step) for x in items[start : start + each]]


def _holding(leaves, starts_at, lengths, fieldname, btexts, rarest_first, candidates):
    """Which of ``candidates`` (global docnums) hold ``btexts`` in sequence (None: postings not
    in a form read here)."""
    out: list[int] = []
    by_segment: dict[int, list[int]] = {}
    for g in candidates:
        by_segment.setdefault(bisect_right(starts_at, g) - 1, []).append(g)
    order = _checking_order(btexts, rarest_first)
    for seg, globals_ in by_segment.items():
        segreader, offset = leaves[seg]
        docs = np.array(sorted(g - offset for g in globals_), dtype=np.int64)
        # Every occurrence of a word as ``docnum << 32 | where the phrase would start``: the
        # documents holding the phrase are those with a start shared by all its words. Word by
        # word from the rarest, each looked up only in the documents still in the running.
        starts: np.ndarray | None = None
        where: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        for btext, i in order:
            if btext not in where:
                found = lengths.positions_at(segreader, fieldname, btext, docs)
                if found is None:
                    return None
                where[btext] = found
            held, positions = where[btext]
            shifted = positions - i
            fits = shifted >= 0
            these = (held[fits] << 32) | shifted[fits]
            if starts is None:
                starts = these
            else:
                starts = np.intersect1d(starts, these, assume_unique=True)
            if not len(starts):
                break
            docs = _distinct(starts >> 32)
        if starts is not None and len(starts):
            out.extend((_distinct(starts >> 32) + offset).tolist())
    return out


def _checking_order(btexts: list[bytes], rarest_first: list[bytes]) -> list[tuple[bytes, int]]:
    """A phrase's words with their places in it, rarest first: a document is checked word by
    word from the one with the fewest positions, and most fail at the second."""
    rank = {t: n for n, t in enumerate(rarest_first)}
    return sorted(((t, i) for i, t in enumerate(btexts)), key=lambda pair: rank[pair[0]])


def _in_sequence(order: list[tuple[bytes, int]], values: dict, docnum: int, weights=True) -> bool:
    """Whether ``docnum`` holds the phrase's words in sequence, from each word's encoded
    positions (``values[word][docnum]``: ``(weight, positions)``, or only the positions)."""
    starts: set[int] | None = None
    for btext, i in order:
        value = values[btext][docnum]
        positions = _positions(value[1] if weights else value)
        if starts is None:
            starts = {p - i for p in positions}
        else:
            starts.intersection_update(p - i for p in positions)
        if not starts:
            return False
    return True


def _block_heads(matcher) -> tuple[list[int], list[int]]:
    """The last docnum and the file offset of each posting block of a leaf matcher (headers
    only: no block is decoded)."""
    maxids, offsets = [], []
    position = matcher._baseoffset  # noqa: SLF001
    while True:
        matcher._goto(position)  # noqa: SLF001
        maxids.append(matcher._maxid)  # noqa: SLF001
        offsets.append(position)
        if matcher._lastblock:  # noqa: SLF001
            break
        position = matcher._nextoffset  # noqa: SLF001
    return maxids, offsets


class _Block:
    """One decoded posting block, kept compact: docnums and weights as arrays and the encoded
    values (positions) in one bytes object (a kept posting costs about 12 bytes beside its
    value, instead of a Python bytes object and two Python numbers)."""

    __slots__ = ("ids", "weights", "_blob", "_ends")

    def __init__(self, ids, weights, values: list[bytes]):
        self.ids = array("I", ids)
        self.weights = weights if isinstance(weights, array) else array("f", weights)
        self._blob = b"".join(values)
        self._ends = array("I", itertools.accumulate(map(len, values)))

    def value(self, i: int) -> bytes:
        """The encoded value of the block's ``i``-th posting."""
        return self._blob[self._ends[i - 1] if i else 0 : self._ends[i]]


def _block_ids(matcher) -> array:
    """The current block's docnums as ``_read_ids()`` makes them, the running sum done by
    itertools in C instead of Whoosh's generator (the largest cost of reading a posting list)."""
    if matcher._data is None:  # noqa: SLF001
        matcher._read_data()  # noqa: SLF001
    ids = matcher._data[0]  # noqa: SLF001
    if not matcher._byteids:  # noqa: SLF001
        ids = array("I", itertools.accumulate(ids))
    matcher._ids = ids  # noqa: SLF001
    return ids


def _read_block(matcher, offset: int) -> _Block:
    """One posting block's docnums, weights and values, decoded."""
    matcher._goto(offset)  # noqa: SLF001
    _block_ids(matcher)
    matcher._read_weights()  # noqa: SLF001
    matcher._read_values()  # noqa: SLF001
    return _Block(matcher._ids, matcher._weights, matcher._values)  # noqa: SLF001
