""" "Did you mean": corrections for words the index does not know, from its own vocabulary."""

from __future__ import annotations

import re

from search.analysis import exact_analyzer

SPELL_FIELD = "exact"
MIN_WORD = 4  # shorter words are too ambiguous to correct
MAX_SUGGESTIONS = 8


def _max_distance(word: str) -> int:
    return 1 if len(word) < 6 else 2


def correct_word(searcher, word: str) -> str | None:
    """The most frequent indexed word within a small edit distance, when ``word`` is unknown."""
    reader = searcher.reader()
    if len(word) < MIN_WORD or any(ch.isdigit() for ch in word):
        return None
    if reader.doc_frequency(SPELL_FIELD, word) > 0:
        return None
    corrector = searcher.corrector(SPELL_FIELD)
    candidates = corrector.suggest(
        word, limit=MAX_SUGGESTIONS, maxdist=_max_distance(word), prefix=1
    )
    if not candidates:
        return None
    return max(candidates, key=lambda c: reader.doc_frequency(SPELL_FIELD, c))


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
