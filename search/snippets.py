"""Highlighted snippets: fragments of about 200 characters around the matches, escaped HTML.

The text is analyzed with the same analyzers as the index, so a search for "negoziato" marks
"negoziati" and "negoziare" (same stem), and a quoted phrase marks its words only where they occur
in sequence. Everything outside ``<mark>`` is escaped (quotes included); nothing raw ever leaks.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from search.analysis import cached_exact_analyzer as exact_analyzer
from search.analysis import cached_italian_analyzer as italian_analyzer
from search.analysis import fold_accents

FRAGMENT_CHARS = 200
MAX_FRAGMENTS = 3
ELLIPSIS = "…"


@dataclass
class Highlight:
    """What to mark: stemmed terms, exact words, and exact word sequences (phrases)."""

    stems: set[str] = field(default_factory=set)
    exact: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.stems or self.exact or self.phrases)


def match_spans(text: str, terms: Highlight) -> list[tuple[int, int, str]]:
    """Character spans ``(start, end, key)`` of the matches in ``text``, sorted, non-overlapping.

    ``key`` identifies the matched term, so fragments can be scored by distinct terms. Only the
    words that could match are analysed (see :func:`_windows`): analysing a whole stored body for
    every hit was the largest cost of a result page.
    """
    spans: dict[int, tuple[int, str]] = {}
    windows = _windows(text, terms)
    if windows is None:  # text whose folding changes its length, numbers: analyse it all
        windows = [(0, len(text), True, True)]
    # Later kinds win where they overlap, in this order: stems, exact words, phrases.
    for start, end, stemmed, _ in windows:
        if stemmed and terms.stems:
            _stem_spans(text, start, end, terms.stems, spans)
    exact_windows = [(start, end) for start, end, _, exact in windows if exact]
    if terms.exact:
        for start, end in exact_windows:
            _exact_spans(text, start, end, terms.exact, [], spans)
    if terms.phrases:
        for start, end in exact_windows:
            _exact_spans(text, start, end, set(), terms.phrases, spans)
    out: list[tuple[int, int, str]] = []
    last_end = -1
    for start in sorted(spans):
        end, key = spans[start]
        if start >= last_end:
            out.append((start, end, key))
            last_end = end
    return out


def _stem_spans(
    text: str, start: int, end: int, stems: set[str], spans: dict[int, tuple[int, str]]
) -> None:
    """Add the stemmed matches in ``text[start:end]`` to ``spans``."""
    for tok in italian_analyzer()(text[start:end], chars=True, positions=True, start_char=start):
        if tok.text in stems:
            spans[tok.startchar] = (tok.endchar, tok.text)


def _exact_spans(
    text: str,
    start: int,
    end: int,
    words: set[str],
    phrases: list[list[str]],
    spans: dict[int, tuple[int, str]],
) -> None:
    """Add the exact-word and phrase matches in ``text[start:end]`` to ``spans``."""
    toks = [
        (t.text, t.startchar, t.endchar)
        for t in exact_analyzer()(text[start:end], chars=True, start_char=start)
    ]
    for word, s, e in toks:
        if word in words:
            spans[s] = (e, word)
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(toks) - n + 1):
            if all(toks[i + k][0] == phrase[k] for k in range(n)):
                key = " ".join(phrase)
                for k in range(n):
                    spans[toks[i + k][1]] = (toks[i + k][2], key)


def _keys(terms: Highlight) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Folded prefixes a matching word must start with: (for stems, for exact words/phrases).

    A Snowball stem is a prefix of its (folded) word except where a suffix is rewritten
    ("presenza" -> "present"), which changes at most the stem's last two letters; numbers lose
    their separators ("1.000" -> "1000"), so they are not looked up this way (None).
    """
    stems = tuple(sorted({s[: max(3, len(s) - 2)] for s in terms.stems}))
    # A phrase is looked for around its longest word, the one least often in a text ("di si
    # uniti": around "uniti", not at every "di").
    exact = tuple(sorted(set(terms.exact) | {max(p, key=len) for p in terms.phrases if p}))
    if any(ch.isdigit() for key in stems + exact for ch in key):
        return None
    # The one word the analyzer rewrites: "po'" is the elided "poco".
    stems += ("po",) if any(k.startswith("poc") for k in stems) else ()
    exact += ("po",) if "poco" in exact else ()
    return stems, exact


def _windows(text: str, terms: Highlight) -> list[tuple[int, int, bool, bool]] | None:
    """The whitespace-delimited stretches of ``text`` that may hold a match.

    Returns ``(start, end, for stems, for exact words)``, overlapping stretches merged; a
    phrase's window runs over the words around its longest word. Tokens never cross whitespace,
    so analysing only these stretches finds the same matches as analysing the whole text.
    """
    keys = _keys(terms)
    if keys is None:
        return None
    folded = _fold(text)
    if folded is None:
        return None
    stem_keys, exact_keys = keys
    longest = max((len(p) for p in terms.phrases), default=1)
    out: dict[tuple[int, int], tuple[bool, bool]] = {}
    for key, is_stem in [(k, True) for k in stem_keys] + [(k, False) for k in exact_keys]:
        pos = folded.find(key)
        while pos != -1:
            if pos == 0 or not folded[pos - 1].isalnum():  # at the start of a word (or part)
                start = _chunk_start(text, pos)
                end = _chunk_end(text, pos)
                if not is_stem and terms.phrases:
                    for _ in range(2 * longest + 2):  # the phrase's words around (and marks)
                        if end < len(text):
                            end = _chunk_end(text, _skip_space(text, end))
                        if start > 0:
                            start = _chunk_start(text, _skip_space_back(text, start))
                was_stem, was_exact = out.get((start, end), (False, False))
                out[(start, end)] = (was_stem or is_stem, was_exact or not is_stem)
            pos = folded.find(key, pos + 1)
    merged: list[tuple[int, int, bool, bool]] = []
    for (start, end), (st, ex) in sorted(out.items()):
        if merged and start < merged[-1][1]:  # overlapping: one stretch, analysed once
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] or st, last[3] or ex)
        else:
            merged.append((start, end, st, ex))
    return merged


# Italian's accented letters, folded with str.replace: str.translate over a whole body (what
# fold_accents does) costs more than everything else in this module.
_ITALIAN_ACCENTS = list(zip("àáèéìíîòóùú", "aaeeiiioouu", strict=True))


def _fold(text: str) -> str | None:
    """``text`` lower-cased and accent-folded, position for position (None if it cannot be)."""
    folded = text.lower()
    if not folded.isascii():
        for accented, plain in _ITALIAN_ACCENTS:
            if accented in folded:
                folded = folded.replace(accented, plain)
        if not folded.isascii():
            folded = fold_accents(folded)
    return folded if len(folded) == len(text) else None


def _chunk_start(text: str, pos: int) -> int:
    while pos > 0 and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _chunk_end(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and not text[pos].isspace():
        pos += 1
    return pos


def _skip_space_back(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return pos


def _skip_space(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    return pos


def _render(text: str, start: int, end: int, spans: Iterable[tuple[int, int, str]]) -> str:
    parts = []
    pos = start
    for s, e, _ in spans:
        if s < start or e > end:
            continue
        parts.append(html.escape(text[pos:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    parts.append(html.escape(text[pos:end]))
    return "".join(parts)


def highlight_text(text: str, terms: Highlight) -> str:
    """The whole text, escaped, with every match wrapped in ``<mark>``."""
    return _render(text, 0, len(text), match_spans(text, terms) if terms else [])


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen nothing, shrink to word boundaries so a fragment never starts or ends mid-word."""
    if start > 0 and not text[start - 1].isspace():
        space = text.find(" ", start)
        if space != -1 and space < end:
            start = space + 1
    if end < len(text) and not text[end].isspace():
        space = text.rfind(" ", start, end)
        if space > start:
            end = space
    return start, end


def lead(text: str, chars: int = FRAGMENT_CHARS) -> str:
    """The escaped opening of the text, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return html.escape(text)
    _, end = _word_bounds(text, 0, chars)
    return html.escape(text[:end].rstrip(" ,;:")) + ELLIPSIS


def make_snippets(
    text: str,
    terms: Highlight,
    *,
    max_fragments: int = MAX_FRAGMENTS,
    chars: int = FRAGMENT_CHARS,
) -> list[str]:
    """Up to ``max_fragments`` escaped fragments around the matches, best first in text order.

    Returns ``[]`` when nothing in ``text`` matches (the caller shows the lead instead).
    """
    text = " ".join(text.split())  # fragments are single-line
    spans = match_spans(text, terms) if terms else []
    if not spans:
        return []
    # Candidate windows: one centred on each match; score = distinct terms, then match count.
    candidates = []
    for s, e, _ in spans:
        centre = (s + e) // 2
        start = max(0, min(centre - chars // 3, len(text) - chars))
        end = min(len(text), start + chars)
        inside = [sp for sp in spans if sp[0] >= start and sp[1] <= end]
        candidates.append((len({k for *_, k in inside}), len(inside), -start, start, end))
    candidates.sort(reverse=True)
    chosen: list[tuple[int, int]] = []
    for *_, start, end in candidates:
        if len(chosen) == max_fragments:
            break
        if any(start < ce and end > cs for cs, ce in chosen):
            continue
        chosen.append((start, end))
    chosen.sort()
    fragments = []
    for start, end in chosen:
        s, e = _word_bounds(text, start, end)
        body = _render(text, s, e, spans)
        prefix = ELLIPSIS if s > 0 else ""
        suffix = ELLIPSIS if e < len(text) else ""
        fragments.append(prefix + body + suffix)
    return fragments
