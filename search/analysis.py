"""Italian text analysis shared by indexing and querying.

Two Whoosh analyzers built from small composable pieces:

- ``italian_analyzer()``: words, elisions removed, lowercased, accent-folded, Snowball Italian
  stop words removed (original positions kept), Snowball Italian stems. For title/lead/body.
- ``exact_analyzer()``: the same words without stop-word removal or stemming. For the exact-form
  companion field (quoted phrases, names, spelling) and for author/source text.

The ranked ``text`` field holds title, body and byline in one value, each section weighted (see
``weighted_text``): the tokenizer gives every token its section's weight as ``Token.boost``, which
Whoosh sums into the posting's weight, the term frequency BM25F saturates. That is BM25F with
field weights, in one field and one posting list per word.

Every piece keeps only plain configuration in its instance state, because Whoosh pickles the
schema (analyzers included) into the index; the stemmer is rebuilt on unpickling. Pickles refer to
these classes by module path, so renaming a class or moving this module breaks existing indexes.
Bump ``ANALYZER_VERSION`` whenever the token output for any text could change.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import chain

import snowballstemmer
from whoosh.analysis import (
    Analyzer,
    Filter,
    LowercaseFilter,
    StopFilter,
    Token,
    Tokenizer,
)

ANALYZER_VERSION = "it-2"

# Straight, typographic (right single quote), modifier-letter, left single quote, acute accent and
# grave accent: all are typed as apostrophes in Italian news text. U+02BC is a letter to Python's
# \w, so the word pattern excludes it explicitly.
APOSTROPHES = "'\u2019\u02bc\u2018\u00b4`"

_APOS = "[" + re.escape(APOSTROPHES) + "]"
# A word: letters/digits, or a number with internal "." / "," groups ("3,5", "1.000", "10.30").
# Words joined by apostrophes stay one match ("dell'Ucraina", "O'Brien"), and a trailing
# apostrophe is kept ("po'", "perche'") so ElisionFilter can decide what it was. Combining marks
# (decomposed accents, absent from the corpus) end a word; as accents are final in Italian, the
# word before them is the folded word anyway.
_PART = r"(?:\d+(?:[.,]\d+)+|[^\W_\u02bc]+)"
WORD_PATTERN = f"{_PART}(?:{_APOS}{_PART})*{_APOS}?"
_WORD_RE = re.compile(WORD_PATTERN)
_APOS_SPLIT_RE = re.compile(_APOS)

# Elided forms recognised before a trailing apostrophe followed by a space ("dell' Ucraina"). A
# trailing apostrophe after any other word is more likely a closing quote (‘Recovery Fund’), so only
# these are dropped there. Before a letter, any short consonant-final prefix counts (see below).
ELIDED_FORMS = frozenset(
    """
    l d c s m t v n gl ch dov com cos
    dell all dall nell sull coll pell
    un quell quest sant bell buon grand nessun ciascun alcun qualcun
    nient tutt anch dev senz mezz quant tant sott sopr fin ov
    """.split()
)
# A consonant-final prefix this long or shorter before an apostrophe and a letter is an elision
# ("nessun'altra", "ciascun'altra"); a longer one is kept as its own word.
MAX_ELIDED_PREFIX = 7
_VOWELS = frozenset("aeiouàáèéìíòóùú")


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0x00C0, 0x0250):
        decomposed = unicodedata.normalize("NFD", chr(code))
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if base != chr(code) and base:
            table[code] = base
    for code in range(0x0300, 0x0370):  # stray combining marks (decomposed input)
        table[code] = None
    table.update({ord("ø"): "o", ord("Ø"): "O", ord("ł"): "l", ord("Ł"): "L", ord("đ"): "d"})
    return table


_FOLD_TABLE = _build_fold_table()


def fold_accents(text: str) -> str:
    """Strip diacritics from Latin letters: "perché" -> "perche", "città" -> "citta"."""
    return text.translate(_FOLD_TABLE)


# The Snowball Italian stop list (snowballstem.org, as shipped by PostgreSQL, NLTK and Whoosh's
# "it" list), written as published; ITALIAN_STOP_WORDS holds it accent-folded because stop words
# are removed after folding. Folding makes "sara" (Sara, a first name) and "fara" stop words too.
_SNOWBALL_ITALIAN_STOP_LIST = """
a abbia abbiamo abbiano abbiate ad agl agli ai al all alla alle allo anche avemmo avendo avesse
avessero avessi avessimo aveste avesti avete aveva avevamo avevano avevate avevi avevo avrai
avranno avrebbe avrebbero avrei avremmo avremo avreste avresti avrete avrà avrò avuta avute
avuti avuto c che chi ci coi col come con contro cui da dagl dagli dai dal dall dalla dalle
dallo degl degli dei del dell della delle dello di dov dove e ebbe ebbero ebbi ed era erano
eravamo eravate eri ero essendo faccia facciamo facciano facciate faccio facemmo facendo facesse
facessero facessi facessimo faceste facesti faceva facevamo facevano facevate facevi facevo fai
fanno farai faranno farebbe farebbero farei faremmo faremo fareste faresti farete farà farò fece
fecero feci fosse fossero fossi fossimo foste fosti fu fui fummo furono gli ha hai hanno ho i il
in io l la le lei li lo loro lui ma mi mia mie miei mio ne negl negli nei nel nell nella nelle
nello noi non nostra nostre nostri nostro o per perché più quale quanta quante quanti quanto
quella quelle quelli quello questa queste questi questo sarai saranno sarebbe sarebbero sarei
saremmo saremo sareste saresti sarete sarà sarò se sei si sia siamo siano siate siete sono sta
stai stando stanno starai staranno starebbe starebbero starei staremmo staremo stareste staresti
starete starà starò stava stavamo stavano stavate stavi stavo stemmo stesse stessero stessi
stessimo steste stesti stette stettero stetti stia stiamo stiano stiate sto su sua sue sugl
sugli sui sul sull sulla sulle sullo suo suoi ti tra tu tua tue tuo tuoi tutti tutto un una uno
vi voi vostra vostre vostri vostro è
"""
ITALIAN_STOP_WORDS: frozenset[str] = frozenset(
    fold_accents(word) for word in _SNOWBALL_ITALIAN_STOP_LIST.split()
)

# Italian thousands separators: "1.000" and "1.000.000,5" (but not "10.30" or "3.5").
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")


# Marks the start of a weighted section in an indexed value: "\x1e2\x1e" + words. An ASCII control
# character: cleaned text and queries (parse() drops unprintable characters) never contain it.
WEIGHT_MARK = "\x1e"
_SECTION_RE = re.compile(f"{WEIGHT_MARK}([0-9]+(?:\\.[0-9]+)?){WEIGHT_MARK}")


def weighted_text(sections: Iterable[tuple[str, float]]) -> str:
    """One indexable value from ``(text, weight)`` sections; empty or zero-weight ones left out.

    Each word's token gets its section's weight as ``Token.boost`` (see ItalianTokenizer).
    """
    parts = [
        f"{WEIGHT_MARK}{weight:g}{WEIGHT_MARK}{text.replace(WEIGHT_MARK, ' ')}"
        for text, weight in sections
        if text and weight > 0
    ]
    return "\n\n".join(parts)


def _sections(value: str) -> Iterator[tuple[int, str, float]]:
    """``(offset, text, weight)`` of each section of a value built by weighted_text."""
    if WEIGHT_MARK not in value:
        yield 0, value, 1.0
        return
    weight, offset = 1.0, 0
    for match in _SECTION_RE.finditer(value):
        if match.start() > offset:
            yield offset, value[offset : match.start()], weight
        weight, offset = float(match.group(1)), match.end()
    yield offset, value[offset:], weight


class ItalianTokenizer(Tokenizer):
    """Finds words, numbers and apostrophe-joined words; positions count emitted words.

    A value built by ``weighted_text`` gives each word its section's weight as ``Token.boost``.
    """

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        pos = start_pos
        for offset, text, weight in _sections(value):
            for match in _WORD_RE.finditer(text):
                t.text = match.group()
                t.boost = weight
                t.stopped = False
                if keeporiginal:
                    t.original = t.text
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar = start_char + offset + match.start()
                    t.endchar = start_char + offset + match.end()
                pos += 1
                yield t


class ElisionFilter(Filter):
    """Removes elided articles and prepositions: "dell'Ucraina" -> "ucraina", "po'" -> "poco".

    Expects lowercased tokens from ItalianTokenizer. For a word joined by apostrophes, each part
    before an apostrophe is dropped when it ends in a consonant and has at most
    MAX_ELIDED_PREFIX characters ("d'Alema" -> "alema", "sant'Antonio" -> "antonio"); any other
    part becomes a word of its own ("O'Brien" -> "o", "brien"). A trailing apostrophe is dropped
    with its word only after a known elided form ("dell' Ucraina"); after a vowel it stands for an
    accent ("perche'" -> "perche"). A final English possessive "'s" is dropped ("Trump's").
    Positions are renumbered so they stay consecutive over the words that remain, and startchar/
    endchar point at each word's span in the original text.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        has_apostrophe = _APOS_SPLIT_RE.search
        shift = 0
        for t in tokens:
            text = t.text
            # isalnum() is a fast check that rules out apostrophes for nearly every token; only
            # U+02BC among them is a letter (Lm) to Python.
            if (text.isalnum() and "\u02bc" not in text) or not has_apostrophe(text):
                if shift and t.positions:
                    t.pos += shift
                yield t
                continue
            words = _elision_words(text)
            if t.positions:
                pos = t.pos + shift
                shift += len(words) - 1
            base = t.startchar if t.chars else 0
            for offset, word in words:
                t.text = word
                if t.positions:
                    t.pos = pos
                    pos += 1
                if t.chars:
                    t.startchar = base + offset
                    t.endchar = base + offset + len(word)
                yield t


def _elision_words(text: str) -> list[tuple[int, str]]:
    """The (offset, word) pairs that remain of one apostrophe-joined token."""
    parts = _APOS_SPLIT_RE.split(text)
    trailing = parts[-1] == ""
    if trailing:
        parts.pop()
    if len(parts) > 1 and parts[-1] == "s":  # English possessive
        parts.pop()
    words: list[tuple[int, str]] = []
    offset = 0
    last = len(parts) - 1
    for i, part in enumerate(parts):
        keep = True
        if i < last:
            if part[-1] not in _VOWELS and part[-1].isalpha():
                keep = len(part) > MAX_ELIDED_PREFIX
        elif trailing:
            keep = part not in ELIDED_FORMS
        if keep:
            if part == "po" and (i < last or trailing):
                # "un po'": the elided "poco", not the river Po, which has no apostrophe.
                words.append((offset, "poco"))
            else:
                words.append((offset, part))
        offset += len(part) + 1
    return words


class ThousandsFilter(Filter):
    """Removes Italian thousands separators so "1.000" and "1000" match; "3,5" stays "3,5"."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        fullmatch = _THOUSANDS_RE.fullmatch
        for t in tokens:
            text = t.text
            if "." in text and text[0].isdigit() and fullmatch(text):
                t.text = text.replace(".", "")
            yield t


class AccentFoldFilter(Filter):
    """Strips diacritics so accented and unaccented spellings match ("più" -> "piu")."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        table = _FOLD_TABLE
        for t in tokens:
            text = t.text
            if not text.isascii():
                t.text = text.translate(table)
            yield t


class SnowballStemFilter(Filter):
    """Snowball stemming (PyStemmer when installed) of alphabetic tokens, with a bounded cache.

    Tokens containing digits ("2025", "3,5", "covid19") are left as they are.
    """

    is_morph = True

    def __init__(self, lang: str = "italian", cachesize: int = 100_000):
        self.lang = lang
        self.cachesize = cachesize
        self._setup()

    def _setup(self) -> None:
        # PyStemmer's stemmer objects are not thread-safe and shared analyzers
        # (cached_italian_analyzer) serve concurrent requests: one stemmer per thread. The
        # cache is shared; dict get/set are atomic and a racing clear() only costs a re-stem.
        self._local = threading.local()
        self._cache: dict[str, str] = {}

    def _stemmer(self) -> Callable[[str], str]:
        stem = getattr(self._local, "stem", None)
        if stem is None:
            stem = self._local.stem = snowballstemmer.stemmer(self.lang).stemWord
        return stem

    def __getstate__(self) -> dict:
        return {"lang": self.lang, "cachesize": self.cachesize}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._setup()

    def __eq__(self, other: object) -> bool:
        if self.__class__ is not other.__class__:
            return False
        return self.__getstate__() == other.__getstate__()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.__class__, self.lang, self.cachesize))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(lang={self.lang!r}, cachesize={self.cachesize!r})"

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        cache = self._cache
        stem = self._stemmer()
        for t in tokens:
            text = t.text
            if not t.stopped:
                stemmed = cache.get(text)
                if stemmed is None:
                    stemmed = stem(text) if text.isalpha() else text
                    if len(cache) >= self.cachesize:
                        cache.clear()
                    cache[text] = stemmed
                t.text = stemmed
            yield t


def _base_analyzer() -> Analyzer:
    return (
        ItalianTokenizer()
        | LowercaseFilter()
        | ElisionFilter()
        | ThousandsFilter()
        | AccentFoldFilter()
    )


def italian_analyzer() -> Analyzer:
    """Stemmed analyzer for title, lead and body: folded words minus Italian stop words, stemmed."""
    # minsize=1 keeps one-character words ("5 ore"); renumber=False keeps the gap a stop word
    # leaves, so positions still say how far apart the remaining words were.
    stops = StopFilter(stoplist=ITALIAN_STOP_WORDS, minsize=1, renumber=False)
    return _base_analyzer() | stops | SnowballStemFilter("italian")


def exact_analyzer() -> Analyzer:
    """Unstemmed analyzer without stop words: lowercased, accent-folded words, elisions removed."""
    return _base_analyzer()


def tokens(text: str, analyzer: Analyzer | None = None) -> list[str]:
    """The token texts ``analyzer`` (default: italian_analyzer()) produces for ``text``."""
    if analyzer is None:
        analyzer = cached_italian_analyzer()
    return [t.text for t in analyzer(text)]


@lru_cache(maxsize=1)
def cached_italian_analyzer() -> Analyzer:
    """One shared stemmed analyzer per process (its stem cache warms up across queries)."""
    return italian_analyzer()


@lru_cache(maxsize=1)
def cached_exact_analyzer() -> Analyzer:
    """One shared exact analyzer per process."""
    return exact_analyzer()


class IndexWords:
    """The words the analyzers give, computed without Token objects: the indexer's fast path.

    ``positions(value, stemmed)`` returns, for each word of ``value`` in first-seen order, its
    positions and the sum of its sections' weights, exactly as Whoosh's ``Positions`` and
    ``Frequency`` formats accumulate them from ``italian_analyzer()`` (``stemmed``) or
    ``exact_analyzer()``. Each distinct matched word is analysed once and remembered (news text
    repeats its words), so a value costs one regex pass and a dictionary look-up per word.
    tests/test_index_words.py checks it against the analyzers token for token.
    """

    def __init__(self, maxsize: int = 50_000):
        self.maxsize = maxsize
        self._exact: dict[str, tuple[str, ...]] = {}
        self._stemmed: dict[str, tuple[str | None, ...]] = {}
        self._stem = snowballstemmer.stemmer("italian").stemWord
        self._paragraphs: dict[str, list[str]] = {}

    def exact_words(self, raw: str) -> tuple[str, ...]:
        """What one tokenizer match becomes: lowercased, elisions dropped, folded."""
        words = self._exact.get(raw)
        if words is None:
            if len(self._exact) >= self.maxsize:
                self._exact.clear()
            words = self._exact[raw] = _exact_words(raw)
        return words

    def stemmed_words(self, raw: str) -> tuple[str | None, ...]:
        """The same, stop words as None (they keep their position), the rest stemmed."""
        words = self._stemmed.get(raw)
        if words is None:
            if len(self._stemmed) >= self.maxsize:
                self._stemmed.clear()
            stem = self._stem
            words = self._stemmed[raw] = tuple(
                None if not w or w in ITALIAN_STOP_WORDS else (stem(w) if w.isalpha() else w)
                for w in self.exact_words(raw)
            )
        return words

    def _matches(self, text: str) -> list[str]:
        """The tokenizer's matches in ``text``, found once per paragraph of a document: a body
        is indexed twice (stemmed in ``text``, unstemmed in ``exact``), its paragraphs alike.
        No match spans a blank line, so the matches of the paragraphs are those of the text."""
        if "\n\n" not in text:
            return _WORD_RE.findall(text)
        seen = self._paragraphs
        if len(seen) > 1000:
            seen.clear()
        out: list[str] = []
        for paragraph in text.split("\n\n"):
            found = seen.get(paragraph)
            if found is None:
                found = seen[paragraph] = _WORD_RE.findall(paragraph)
            out += found
        return out

    def new_document(self) -> None:
        """Forget the paragraphs of the previous document (see ``_matches``)."""
        self._paragraphs.clear()

    def _flat(self, text: str, stemmed: bool) -> list[str | None]:
        """The words of ``text`` in order, one per position (stop words as None)."""
        cache = self._stemmed if stemmed else self._exact
        raws = self._matches(text)
        found = list(map(cache.get, raws))
        if None in found:
            lookup = self.stemmed_words if stemmed else self.exact_words
            found = [f if f is not None else lookup(r) for f, r in zip(found, raws, strict=True)]
        return list(chain.from_iterable(found))

    def positions(
        self, value: str, stemmed: bool
    ) -> tuple[dict[str, list[int]], dict[str, float] | None]:
        """``({word: positions}, {word: summed weight})`` of an indexed value, the weights None
        when every word weighs 1 (the weight is then the number of positions)."""
        sections = list(_sections(value))
        if len(sections) == 1 and sections[0][2] == 1.0:
            poses: dict = defaultdict(list)
            for pos, word in enumerate(self._flat(sections[0][1], stemmed)):
                poses[word].append(pos)
            poses.pop(None, None)
            return poses, None
        poses = {}
        weights: dict[str, float] = {}
        pos = 0
        for _offset, text, weight in sections:
            for word in self._flat(text, stemmed):
                if word is not None:
                    found = poses.get(word)
                    if found is None:
                        poses[word] = [pos]
                        weights[word] = 0.0 + weight
                    else:
                        found.append(pos)
                        weights[word] += weight
                pos += 1
        return poses, weights

    def frequencies(self, value: str, stemmed: bool) -> tuple[dict[str, int], dict[str, float]]:
        """``({word: count}, {word: summed weight})`` of an indexed value."""
        sections = list(_sections(value))
        if not all((weight * 1024).is_integer() and abs(weight) < 1e6 for _, _, weight in sections):
            # Sums of such weights are exact in any order; others are added in token order.
            poses, weights = self.positions(value, stemmed)
            counts = {word: len(plist) for word, plist in poses.items()}
            return counts, weights or {word: float(n) for word, n in counts.items()}
        counts: dict[str, int] = {}
        weights = {}
        for _offset, text, weight in sections:
            found = Counter(self._flat(text, stemmed))
            found.pop(None, None)
            for word, n in found.items():
                if word in counts:
                    counts[word] += n
                    weights[word] += n * weight
                else:
                    counts[word] = n
                    weights[word] = 0.0 + n * weight
        return counts, weights


def _exact_words(raw: str) -> tuple[str, ...]:
    """LowercaseFilter, ElisionFilter, ThousandsFilter and AccentFoldFilter on one match."""
    text = raw.lower()
    if (text.isalnum() and "\u02bc" not in text) or not _APOS_SPLIT_RE.search(text):
        words = [text]
    else:
        words = [word for _offset, word in _elision_words(text)]
    out = []
    for word in words:
        if "." in word and word[0].isdigit() and _THOUSANDS_RE.fullmatch(word):
            word = word.replace(".", "")
        if not word.isascii():
            word = word.translate(_FOLD_TABLE)
        out.append(word)
    return tuple(out)
