""" "Did you mean": corrections for words the index does not know, from its own vocabulary."""

from __future__ import annotations

import re

from search.analysis import exact_analyzer

SPELL_FIELD = "exact"
MIN_WORD = 4  # shorter words are too ambiguous to correct
MAX_SUGGESTIONS = 8


def _max_distance(word: str) -> int:
    return 1 if len(word) < 6 else 2


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


def correct_word(searcher, word: str) -> str | None:
    """The closest indexed word (then the most frequent) when ``word`` is not in the index.

    Only unknown words are corrected: also second-guessing rare indexed words ("carabineri", in
    10 of 10,372 DICE articles) restored 5 more of 300 misspellings but nearly doubled the false
    suggestions on correct queries (22 against 12; eval/quality.py's spelling check).
    """
    reader = searcher.reader()
    if len(word) < MIN_WORD or any(ch.isdigit() for ch in word):
        return None
    if reader.doc_frequency(SPELL_FIELD, word) > 0:
        return None
    corrector = searcher.corrector(SPELL_FIELD)
    candidates = [
        c
        for c in corrector.suggest(
            word, limit=MAX_SUGGESTIONS, maxdist=_max_distance(word), prefix=1
        )
        if c != word
    ]
    if not candidates:
        return None
    # The closest by Damerau-Levenshtein (a swap of two letters is one typo, not two), then the
    # most frequent. Whoosh's corrector counts a swap as two edits and ranks by frequency alone.
    best = min(
        candidates, key=lambda c: (typo_distance(word, c), -reader.doc_frequency(SPELL_FIELD, c))
    )
    return best


def suggest_query(searcher, query: str, words: list[str]) -> str | None:
    """The query with unknown words replaced by their correction, or None when all are known."""
    corrected = query
    changed = False
    for typed in words:
        forms = [t.text for t in exact_analyzer()(typed)]
        if len(forms) != 1:
            continue
        fix = correct_word(searcher, forms[0])
        if fix is None:
            continue
        replacement = fix.capitalize() if typed[:1].isupper() else fix
        corrected, n = re.subn(rf"(?<!\w){re.escape(typed)}(?!\w)", replacement, corrected, count=1)
        changed = changed or n > 0
    return corrected if changed else None
