"""Search-as-you-type: completions of the word being typed from the index's words and names.

The first call on a build makes a table of its words (the ``exact`` field: unstemmed, stop words
left out here) and names (sources and authors), with how many articles hold each; it is cached on
the open build and dropped when a rebuild swaps in. A lookup is then a dictionary hit for short
prefixes and a bisect plus a small scan for longer ones, well under a millisecond.

The index keeps words lowercased and without accents; how they are written (``città``,
``Meloni``) is learnt from a sample of the articles.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from search.analysis import ITALIAN_STOP_WORDS
from search.store import IndexHandle

MIN_PREFIX = 2  # one letter matches too much to help
MAX_PREFIX = 40
LIMIT = 8
MAX_NAMES = 3  # of the LIMIT, at most this many sources/authors
PRECOMPUTED = (2, 3)  # prefix lengths whose best words are kept ready
SAMPLE_ARTICLES = 2000  # articles read to learn accents and capitals
WORD_FIELD = "exact"
NAME_FIELDS = ("source_facet", "author_facet")
_LAST_WORD = re.compile(r"(?P<before>.*?)(?P<word>[^\W\d_][\w'’-]*)$", re.S)
_SURFACE = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """Lowercase without accents, as the ``exact`` field stores words."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass
class CompletionTable:
    words: list[str]  # folded, sorted
    counts: list[int]  # articles holding each word
    best: dict[str, list[tuple[int, str]]]  # short prefix -> its most frequent words
    display: dict[str, str]  # folded word -> how articles write it, when different
    names: list[tuple[str, list[str], int]]  # (name, its folded words, articles)
    name_words: list[str] = field(default_factory=list)  # every word of every name, sorted
    name_at: list[tuple[int, int]] = field(default_factory=list)  # (name index, word position)

    def __post_init__(self) -> None:
        entries = sorted(
            (word, i, pos)
            for i, (_, parts, _) in enumerate(self.names)
            for pos, word in enumerate(parts)
        )
        self.name_words = [word for word, _, _ in entries]
        self.name_at = [(i, pos) for _, i, pos in entries]

    def names_for(self, typed: list[str], alone: bool) -> list[tuple[int, str, int]]:
        """Names the typed words begin, as (articles, name, typed words it replaces).

        The last typed word is a prefix of one of the name's words; the typed words before it
        must be the name's words before that one ("mario ro" -> Mario Rossi). A surname alone
        ("ross" -> Mario Rossi) counts only when it is the whole query and 3 letters or more.
        """
        prefix = typed[-1]
        lo = bisect.bisect_left(self.name_words, prefix)
        hi = bisect.bisect_left(self.name_words, prefix + "\U0010ffff")
        found: dict[str, tuple[int, str, int]] = {}
        for i, pos in self.name_at[lo:hi]:
            name, parts, count = self.names[i]
            if pos + 1 <= len(typed) and parts[:pos] == typed[len(typed) - 1 - pos : -1]:
                found[name] = (count, name, pos + 1)
            elif pos > 0 and alone and len(prefix) >= 3:
                found.setdefault(name, (count, name, 1))
        return list(found.values())

    def words_for(self, prefix: str, limit: int) -> list[tuple[int, str]]:
        """(articles, word) for the most frequent words starting with ``prefix`` (folded)."""
        if len(prefix) in PRECOMPUTED:
            ranked = self.best.get(prefix, [])[:limit]
        else:
            lo = bisect.bisect_left(self.words, prefix)
            hi = bisect.bisect_left(self.words, prefix + "\U0010ffff")
            ranked = heapq.nlargest(limit, ((self.counts[i], self.words[i]) for i in range(lo, hi)))
        return [(count, word) for count, word in ranked]


def build_table(searcher) -> CompletionTable:
    """The completion table of an open index (seconds at 100k articles; done once per build)."""
    reader = searcher.reader()
    doc_count = reader.doc_count_all()
    min_count = 1 if doc_count < 5000 else 2  # on big indexes, once-only words are mostly noise
    words: list[str] = []
    counts: list[int] = []
    if WORD_FIELD in reader.indexed_field_names():
        for raw, info in reader.iter_field(WORD_FIELD):
            word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            count = info.doc_frequency()
            if (
                count >= min_count
                and len(word) >= MIN_PREFIX
                and word not in ITALIAN_STOP_WORDS
                and not any(ch.isdigit() for ch in word)
            ):
                words.append(word)
                counts.append(count)
    best: dict[str, list[tuple[int, str]]] = {}
    for length in PRECOMPUTED:
        buckets: dict[str, list[tuple[int, str]]] = {}
        for word, count in zip(words, counts, strict=True):
            if len(word) >= length:
                buckets.setdefault(word[:length], []).append((count, word))
        for prefix, items in buckets.items():
            best[prefix] = heapq.nlargest(LIMIT, items)
    names = []
    for fieldname in NAME_FIELDS:
        if fieldname not in reader.indexed_field_names():
            continue
        for raw, info in reader.iter_field(fieldname):
            name = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            names.append((name, fold(name).split(), info.doc_frequency()))
    names.sort(key=lambda item: (-item[2], item[0]))
    return CompletionTable(words, counts, best, _learn_display(searcher, doc_count), names)


def _learn_display(searcher, doc_count: int) -> dict[str, str]:
    """Folded word -> its most common written form in a sample of articles, where different."""
    forms: Counter[str] = Counter()
    step = max(1, doc_count // SAMPLE_ARTICLES)
    reader = searcher.reader()
    for docnum in range(0, reader.doc_count_all(), step):
        if reader.is_deleted(docnum):
            continue
        fields = reader.stored_fields(docnum)
        forms.update(_SURFACE.findall(f"{fields.get('title') or ''} {fields.get('body') or ''}"))
    best: dict[str, tuple[int, str]] = {}
    for form, count in forms.items():
        key = fold(form)
        # Sentence-initial capitals are common; a capitalised form wins only when it dominates.
        weight = count if form == key or not form[:1].isupper() else count // 2
        if key not in best or weight > best[key][0]:
            best[key] = (weight, form)
    return {key: form for key, (_, form) in best.items() if form != key}


def _table(handle: IndexHandle) -> CompletionTable:
    opened = handle.current()
    table = opened.cache.get("completions")
    if table is None:
        with handle.searcher() as searcher:
            table = build_table(searcher)
        opened.cache["completions"] = table
    return table


def complete(handle: IndexHandle, text: str, limit: int = LIMIT) -> list[str]:
    """Up to ``limit`` completions of ``text``'s last word: whole queries, most frequent first."""
    text = (text or "")[: MAX_PREFIX * 5]
    if not text or text[-1].isspace():
        return []
    match = _LAST_WORD.fullmatch(text)
    if match is None:
        return []
    before, word = match.group("before"), match.group("word")
    prefix = fold(word).replace("’", "'")
    if "'" in prefix:  # l'ital… completes the word after the elision
        elided, prefix = prefix.rsplit("'", 1)
        before, word = before + word[: len(elided) + 1], word[len(elided) + 1 :]
    if len(prefix) < MIN_PREFIX or len(prefix) > MAX_PREFIX or before.count('"') % 2:
        return []  # too short or long, or inside a "phrase" being typed
    if before.endswith((":", "*", "-")):  # fonte:…, autore:… and the like are not completed
        return []
    table = _table(handle)
    # (articles, suggestion): names and words compete on how many articles hold them.
    ranked: list[tuple[int, str]] = []
    words_before = before.split()
    if not before.endswith("'"):  # l'Ansa: no names after an elision
        typed = [fold(w) for w in words_before[-3:]] + [prefix]
        found = table.names_for(typed, alone=not words_before)
        for count, name, replaced in heapq.nlargest(MAX_NAMES, found):
            kept = words_before[: len(words_before) - (replaced - 1)]
            ranked.append((count, " ".join([*kept, name])))
    for count, folded in table.words_for(prefix, limit):
        if folded == prefix:
            continue  # the word is already typed in full
        written = table.display.get(folded, folded)
        if word[:1].isupper() and written[:1].islower():
            written = written[:1].upper() + written[1:]
        ranked.append((count, before + written))
    out: list[str] = []
    for _, suggestion in sorted(ranked, key=lambda item: -item[0]):  # stable: names first on ties
        if suggestion not in out:
            out.append(suggestion)
    return out[:limit]
