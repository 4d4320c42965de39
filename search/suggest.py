"""Typo tolerance and "did you mean", from the index's own vocabulary, in bounded work.

A query word the index does not know (or knows far less often than a word one edit away) is
searched together with its closest indexed spellings, the way Meilisearch users expect: one typo
allowed in words of 5 to 8 letters, two in longer words, none in shorter ones. A swap of two
neighbouring letters is one typo. The first letter is never corrected (Meilisearch counts a typo
there as two), which also keeps the search small.

Finding the indexed words within k typos is a walk of the term dictionary as a trie, carrying the
Damerau-Levenshtein row of the prefix so far (a Levenshtein automaton, simulated): a branch is left
as soon as no extension of its prefix can come within k typos, and a prefix with no typo left
probes only the letters that continue the word. The work grows with how many dictionary prefixes
lie within k typos of the word's own prefixes, far below linearly with the dictionary (median pass
821 steps on 300k words, 1,248 on 1M; ``python -m eval.typos --vocabulary N``); the terms are read
forward in sorted order, so most steps are a ``next()`` and the rest a seek in Whoosh's on-disk
term index (a binary search). Work caps per word and per query end a pathological walk with what it
found so far.

Why this and not the alternatives: Whoosh's own ``terms_within`` builds a DFA in pure Python (up to
13 ms per word on DICE), counts a swap as two typos, and on a multi-segment reader falls back to
comparing every term that shares the first letter (the old cost here); a deletion index (SymSpell)
answers in a few lookups but multiplies the dictionary by the deletions of every word at build time
(tens of millions of entries at 1M articles) and must be kept in step by ``update``. The walk needs
nothing at index time and reads any index as it is.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from whoosh.codec import whoosh3

SPELL_FIELD = "exact"
MIN_WORD = 5  # shorter words are too ambiguous to correct
LONG_WORD = 9  # from this length on, two typos are allowed
MAX_CORRECTIONS = 2  # alternatives searched for one word...
AMBIGUOUS_SHARE = 0.5  # ... the second only when nearly as frequent as the first (ambiguous)
# A correction must be a word of some currency: a spelling seen in a single article is as likely
# another rare word as the one meant, and searching it reorders correctly spelled queries
# (eval/typos.py on p1va keywords: changed top results 2.7% with 1, 1.7% with 2, 2.0% with 3).
MIN_CORRECTION_DF = 2
RARITY_RATIO = 20  # a known word is "far rarer" than a neighbour this many times as frequent
RARE_SHARE = 1 / 500  # only known words in at most this share of the articles are second-guessed
# Work caps, in steps (one trie node examined; a seek in the term index counts SEEK_COST steps).
# The whole pass for a misspelled word takes 821 steps at the median (max 1,600) on a dictionary
# of 300k words and 1,248 (max 2,680) on 1M words (python -m eval.typos --vocabulary N): the caps
# only stop pathological input.
SEEK_COST = 5
MAX_WORD_WORK = 6000  # one word
MAX_QUERY_WORK = 15000  # all the words of one query: later words go uncorrected


def max_typos(word: str) -> int:
    """Typos tolerated in ``word``: 0 under 5 letters, 1 up to 8, 2 from 9."""
    if len(word) < MIN_WORD:
        return 0
    return 1 if len(word) < LONG_WORD else 2


def typo_distance(a: str, b: str) -> int:
    """Edit distance counting insertions, deletions, substitutions and adjacent swaps as one."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


@dataclass
class Budget:
    """Work left for the spelling walks of one query (steps; see ``SEEK_COST``)."""

    left: int = MAX_QUERY_WORK
    cut: bool = False  # a walk was stopped by a work cap (its corrections may be incomplete)


@dataclass
class Walk:
    """The result of one bounded walk: indexed words with their distance, and the work done."""

    found: dict[str, int] = field(default_factory=dict)
    work: int = 0
    seeks: int = 0
    limit: int = MAX_WORD_WORK
    complete: bool = True  # False when the work cap stopped it

    def spend(self, steps: int) -> bool:
        """Count ``steps`` of work; False (and incomplete) once the cap is passed."""
        self.work += steps
        if self.work > self.limit:
            self.complete = False
        return self.complete


def terms_within(
    reader,
    word: str,
    maxdist: int,
    *,
    prefix: int = 1,
    max_work: int = MAX_WORD_WORK,
    budget: Budget | None = None,
) -> Walk:
    """Indexed words of ``SPELL_FIELD`` within ``maxdist`` typos of ``word`` sharing its first
    ``prefix`` letters (``word`` itself included when indexed), in at most ``max_work`` steps
    (and what is left of ``budget``)."""
    limit = min(max_work, budget.left) if budget is not None else max_work
    walk = Walk(limit=limit)
    if len(word) > prefix and limit > 0:
        for leaf, _base in reader.leaf_readers():
            if not walk.complete:
                break
            if SPELL_FIELD in leaf.indexed_field_names():
                _walk_leaf(_cursor(leaf), word, maxdist, prefix, walk)
    if budget is not None:
        budget.left -= walk.work
        budget.cut = budget.cut or not walk.complete
    return walk


# A segment's words held in memory for the walks when it has at most this many (about 60 bytes
# each: 60 MB at the cap; a 100k-article archive has about 100,000); past it, the on-disk index.
MEMORY_TERMS = 1_000_000


def warm(reader) -> None:
    """Load each segment's spelling terms now (the first walk would otherwise)."""
    for leaf, _ in reader.leaf_readers():
        if SPELL_FIELD in leaf.indexed_field_names():
            _cursor(leaf)


def _cursor(leaf):
    """A cursor over one segment's ``SPELL_FIELD`` terms: in memory (a sorted list, seeks by
    bisection), or on disk with seeks that remember the keys they read.

    A seek is a binary search of the on-disk term index, reading a key at each step; the first
    dozen steps are the same for every probe, so they are read once per segment and thread (the
    terms found, and so the corrections, are the same: only the reads are saved).
    """
    cursor = leaf.cursor(SPELL_FIELD)
    if type(cursor) is not whoosh3.W3FieldCursor:
        return cursor
    tindex = cursor._tindex  # noqa: SLF001 (pinned Whoosh 2.7.4)
    terms = getattr(tindex, "_rassegna_terms", None)
    if terms is None:
        words = list(itertools.islice(leaf.lexicon(SPELL_FIELD), MEMORY_TERMS + 1))
        terms = [w.decode("utf-8") for w in words] if len(words) <= MEMORY_TERMS else []
        tindex._rassegna_terms = terms  # noqa: SLF001 (lives and dies with the term index)
    if terms:
        return _ListCursor(terms)
    return _RememberingCursor(cursor)


class _ListCursor:
    """The cursor interface (text, next, find) over a sorted list of a segment's terms."""

    def __init__(self, terms: list[str]):
        self._terms = terms
        self._pos = 0

    def text(self) -> str | None:
        return self._terms[self._pos] if self._pos < len(self._terms) else None

    def next(self) -> str | None:
        self._pos += 1
        return self.text()

    def find(self, term) -> str | None:
        """The first term >= ``term`` (None past the field's last)."""
        if isinstance(term, bytes):
            term = term.decode("utf-8")
        self._pos = bisect.bisect_left(self._terms, term)
        return self.text()


_MEMO_KEYS = 100_000  # keys remembered per term index (about 30 bytes each) before starting over


class _RememberingCursor:
    """Whoosh 2.7.4's W3FieldCursor (text, next, find) with a memo of the term index's keys."""

    def __init__(self, cursor):
        self._cursor = cursor
        tindex = cursor._tindex  # noqa: SLF001 (pinned Whoosh 2.7.4)
        memo = getattr(tindex, "_rassegna_keys", None)
        if memo is None:
            memo = {}
            tindex._rassegna_keys = memo  # noqa: SLF001 (lives and dies with the term index)
        self._memo = memo

    def text(self):
        return self._cursor.text()

    def next(self):
        return self._cursor.next()

    def find(self, term):
        """As W3FieldCursor.find: the first term >= ``term`` (None past the field's last)."""
        c = self._cursor
        if not isinstance(term, bytes):
            term = c._fieldobj.to_bytes(term)  # noqa: SLF001
        key = c._keycoder(c._fieldname, term)  # noqa: SLF001
        c._pos = _closest_key_pos(c._tindex, key, self._memo)  # noqa: SLF001
        return c.next()


def _closest_key_pos(tindex, key: bytes, memo: dict[int, bytes]) -> int | None:
    """``OrderedHashReader.closest_key_pos`` (the same binary search), remembering each key read
    by its place in the index."""
    if len(memo) > _MEMO_KEYS:
        memo.clear()
    indexbase, indexsize = tindex.indexbase, tindex.indexsize
    get_pos, key_at = tindex._get_pos, tindex.key_at  # noqa: SLF001
    lo, hi = 0, tindex.indexlen
    while lo < hi:
        mid = (lo + hi) // 2
        midkey = memo.get(mid)
        if midkey is None:
            midkey = memo[mid] = key_at(get_pos(indexbase + mid * indexsize))
        if midkey < key:
            lo = mid + 1
        else:
            hi = mid
    if lo == tindex.indexlen:
        return None
    return get_pos(indexbase + lo * indexsize)


class _SortedTerms:
    """A field's sorted terms, read forward only: probes come in increasing order, so a probe at
    or before the current term costs nothing and a near one a few ``next()`` calls; only a far one
    costs a seek (a binary search of the on-disk term index)."""

    NEAR = 4  # next() calls tried before a seek

    def __init__(self, cursor, walk: Walk):
        self.cursor, self.walk = cursor, walk
        self.term: str | None = cursor.text()

    def first_at_or_after(self, probe: str) -> str | None:
        """The first term >= ``probe`` (None at the end, or when the work cap is reached)."""
        for _ in range(self.NEAR):
            if self.term is None or self.term >= probe:
                return self.term
            self.term = self.cursor.next()
        if self.term is None or self.term >= probe:
            return self.term
        self.walk.seeks += 1
        if not self.walk.spend(SEEK_COST):
            self.term = None
            return None
        self.term = self.cursor.find(probe)
        return self.term


def _walk_leaf(cursor, word: str, maxdist: int, prefix: int, walk: Walk) -> None:
    n = len(word)
    row = list(range(n + 1))
    prev: list[int] = []
    last = ""
    for ch in word[:prefix]:  # the fixed prefix: the rows of matching it exactly
        prev, row = row, _step(word, row, prev, last, ch, maxdist)
        last = ch
    terms = _SortedTerms(cursor, walk)

    def child(path: str, term: str, row: list[int], prev: list[int], last: str) -> None:
        """Step into ``path`` + the next letter of ``term`` (a word that starts with it)."""
        ch = term[len(path)]
        node = path + ch
        if not walk.spend(1):
            return
        node_row = _step(word, row, prev, last, ch, maxdist)
        if term == node and node_row[n] <= maxdist:
            walk.found[node] = min(node_row[n], walk.found.get(node, maxdist))
        if min(node_row[1:]) <= maxdist:  # an extension may still come within maxdist
            visit(node, node_row, row, ch)

    def visit(path: str, row: list[int], prev: list[int], last: str) -> None:
        if min(row[1:]) == maxdist:
            # No typo left: only letters that continue the word without one can follow, so probe
            # those few instead of reading every child of ``path``.
            for ch in _free_letters(word, row, prev, last, maxdist):
                term = terms.first_at_or_after(path + ch)
                if term is None or not walk.complete:
                    return
                if term.startswith(path + ch):
                    child(path, term, row, prev, last)
            return
        probe = path + "\x00"  # the first word longer than ``path`` that starts with it
        while walk.complete:
            term = terms.first_at_or_after(probe)
            if term is None or not term.startswith(path):
                return
            child(path, term, row, prev, last)
            ch = term[len(path)]
            if ch == "\U0010ffff":
                return
            following = ord(ch) + 1
            if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be encoded: skip past them
                following = 0xE000
            probe = path + chr(following)  # the next sibling

    start = word[:prefix]
    if min(row[1:]) <= maxdist:
        if terms.first_at_or_after(start) == start and row[n] <= maxdist:  # "v" for "vol"
            walk.found[start] = row[n]
        visit(start, row, prev, last)


def _free_letters(word: str, row: list[int], prev: list[int], last: str, k: int) -> list[str]:
    """The letters that extend a prefix at ``k`` typos without another one, in sorted order: the
    word's next letter after each cell at ``k`` (a match), or the letter a swap brings back."""
    letters = {word[j] for j in range(len(word)) if row[j] <= k}
    if prev and last:
        letters.update(
            word[j - 2]
            for j in range(2, len(word) + 1)
            if last == word[j - 1] and prev[j - 2] + 1 <= k
        )
    return sorted(letters)


def _step(word: str, row: list[int], prev: list[int], last: str, ch: str, k: int) -> list[int]:
    """The Damerau-Levenshtein (optimal string alignment) row after appending ``ch``, capped at
    ``k + 1``: only the diagonal band a distance of at most ``k`` can come from is computed.

    ``row[0]`` and ``prev[0]`` hold the prefix lengths (uncapped) to locate the band.
    """
    cap = k + 1
    n = len(word)
    depth = row[0] + 1
    new = [cap] * (n + 1)
    new[0] = depth
    for j in range(max(1, depth - k), min(n, depth + k) + 1):
        best = min(row[j] + 1, new[j - 1] + 1, row[j - 1] + (word[j - 1] != ch))
        if j > 1 and last and ch == word[j - 2] and last == word[j - 1]:
            best = min(best, prev[j - 2] + 1)
        new[j] = best if best < cap else cap
    return new


# --------------------------------------------------------------------------- corrections


def _correctable(word: str) -> bool:
    return len(word) >= MIN_WORD and word.isalpha()


# The walks tried for an unknown word, (typos, letters that must match), cheapest first; the first
# that finds a correction wins. Every prefix as long as typos + fixed letters is on the way of a
# walk, so a two-typo walk from the first letter visits every 3-letter prefix of the archive;
# fixing 3 letters first finds most two-typo corrections of long words for a fraction of that.
_STAGES = {0: [], 1: [(1, 1)], 2: [(1, 1), (2, 3), (2, 1)]}


def corrections(reader, word: str, budget: Budget | None = None) -> list[str]:
    """Indexed spellings to search together with ``word`` (an ``exact`` form), closest first.

    An unknown word gets the indexed words at the smallest distance within its typo budget, the
    most frequent first (one typo is tried first: the two-typo walks of a long word cost several
    times more, and a one-typo spelling is closer anyway; see ``_STAGES``). A known word that is
    rare gets a neighbour one typo away that is ``RARITY_RATIO`` times as frequent
    ("carabineri" -> "carabinieri"). Others get nothing.
    """
    if not _correctable(word):
        return []
    df = reader.doc_frequency(SPELL_FIELD, word)
    if df == 0:
        for typos, prefix in _STAGES[max_typos(word)]:
            walk = terms_within(reader, word, typos, prefix=prefix, budget=budget)
            walk.found.pop(word, None)
            for rare in [
                w for w in walk.found if reader.doc_frequency(SPELL_FIELD, w) < MIN_CORRECTION_DF
            ]:
                del walk.found[rare]
            if walk.found:
                closest = min(walk.found.values())
                ranked = _most_frequent(reader, [w for w, d in walk.found.items() if d == closest])
                best = reader.doc_frequency(SPELL_FIELD, ranked[0])
                return [
                    w
                    for w in ranked[:MAX_CORRECTIONS]
                    if reader.doc_frequency(SPELL_FIELD, w) >= AMBIGUOUS_SHARE * best
                ]
        return []
    if df > max(3, reader.doc_count() * RARE_SHARE):
        return []
    walk = terms_within(reader, word, 1, budget=budget)
    walk.found.pop(word, None)
    frequent = [w for w in walk.found if reader.doc_frequency(SPELL_FIELD, w) >= RARITY_RATIO * df]
    return _most_frequent(reader, frequent)[:1]


def _most_frequent(reader, words: list[str]) -> list[str]:
    return sorted(words, key=lambda w: (-reader.doc_frequency(SPELL_FIELD, w), w))


def like_typed(typed: str, word: str) -> str:
    """``word`` capitalised the way the person typed ``typed`` ("Witkof" -> "Witkoff")."""
    return word.capitalize() if typed[:1].isupper() else word


def suggest_query(query: str, fixes: dict[str, str]) -> str | None:
    """``query`` with each typed word in ``fixes`` replaced by its correction (None if none)."""
    corrected = query
    changed = False
    for typed, fix in fixes.items():
        replacement = like_typed(typed, fix)
        corrected, n = re.subn(rf"(?<!\w){re.escape(typed)}(?!\w)", replacement, corrected, count=1)
        changed = changed or n > 0
    return corrected if changed else None
