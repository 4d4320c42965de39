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

    ``key`` identifies the matched term, so fragments can be scored by distinct terms.
    """
    spans: dict[int, tuple[int, str]] = {}
    if terms.stems:
        for tok in italian_analyzer()(text, chars=True, positions=True):
            if tok.text in terms.stems:
                spans[tok.startchar] = (tok.endchar, tok.text)
    if terms.exact or terms.phrases:
        toks = [(t.text, t.startchar, t.endchar) for t in exact_analyzer()(text, chars=True)]
        for word, start, end in toks:
            if word in terms.exact:
                spans[start] = (end, word)
        for phrase in terms.phrases:
            n = len(phrase)
            for i in range(len(toks) - n + 1):
                if all(toks[i + k][0] == phrase[k] for k in range(n)):
                    key = " ".join(phrase)
                    for k in range(n):
                        spans[toks[i + k][1]] = (toks[i + k][2], key)
    out: list[tuple[int, int, str]] = []
    last_end = -1
    for start in sorted(spans):
        end, key = spans[start]
        if start >= last_end:
            out.append((start, end, key))
            last_end = end
    return out


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
