""" "Did you mean": corrections for words the index does not know, from its own vocabulary."""

from __future__ import annotations

import re

from search.analysis import exact_analyzer

SPELL_FIELD = "exact"
MIN_WORD = 4  # shorter words are too ambiguous to correct
MAX_SUGGESTIONS = 8


def _max_distance(word: str) -> int:
    return 1 if len(word) < 6 else 2


# A word the index knows can still be a typo (archives contain typos too): it is corrected when it
# is rare (in at most RARE_FRACTION of the documents, or RARE_MIN_DOCS) and a close word is at
# least MORE_FREQUENT times more frequent ("carabineri": 10 articles; "carabinieri": thousands).
RARE_FRACTION = 0.002
RARE_MIN_DOCS = 3
MORE_FREQUENT = 50


def correct_word(searcher, word: str) -> str | None:
    """The most frequent indexed word within a small edit distance, when ``word`` is unknown or
    a rare variant of a much more frequent word."""
    reader = searcher.reader()
    if len(word) < MIN_WORD or any(ch.isdigit() for ch in word):
        return None
    seen = reader.doc_frequency(SPELL_FIELD, word)
    if seen > max(RARE_MIN_DOCS, RARE_FRACTION * reader.doc_count()):
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
    # The most frequent; among equals, the closest (the corrector lists closer words first).
    best = max(candidates, key=lambda c: reader.doc_frequency(SPELL_FIELD, c))
    if seen and reader.doc_frequency(SPELL_FIELD, best) < MORE_FREQUENT * seen:
        return None
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
