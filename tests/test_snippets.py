"""Snippets analyse only the stretches of text that may match; a full analysis finds the same."""

from __future__ import annotations

import pytest

from search.analysis import exact_analyzer, italian_analyzer
from search.snippets import Highlight, _windows, make_snippets, match_spans

TEXT = (
    "La presenza dei carabinieri a Città di Castello è stata decisiva. Un po' di pazienza, "
    "dicono dall'Unione: «la città chiede più sicurezza», ha spiegato il sindaco. Nell'incontro "
    "di ieri 1.000 persone hanno chiesto la presenza costante delle forze dell'ordine; la "
    "Presidenza ha risposto che la sicurezza resta una priorità. PERCHÉ no? Perche' sì."
)


def reference_spans(text: str, terms: Highlight) -> list[tuple[int, int, str]]:
    """What the whole-text analysis finds: stems, then exact words, then phrases win overlaps."""
    spans: dict[int, tuple[int, str]] = {}
    for tok in italian_analyzer()(text, chars=True, positions=True):
        if tok.text in terms.stems:
            spans[tok.startchar] = (tok.endchar, tok.text)
    toks = [(t.text, t.startchar, t.endchar) for t in exact_analyzer()(text, chars=True)]
    for word, start, end in toks:
        if word in terms.exact:
            spans[start] = (end, word)
    for phrase in terms.phrases:
        for i in range(len(toks) - len(phrase) + 1):
            if [w for w, _, _ in toks[i : i + len(phrase)]] == phrase:
                for _, start, end in toks[i : i + len(phrase)]:
                    spans[start] = (end, " ".join(phrase))
    out, last = [], -1
    for start in sorted(spans):
        if start >= last:
            out.append((start, spans[start][0], spans[start][1]))
            last = spans[start][0]
    return out


def stems(text: str) -> set[str]:
    return {t.text for t in italian_analyzer()(text)}


@pytest.mark.parametrize(
    "terms",
    [
        Highlight(stems("presidente")),  # a rewritten suffix: "presidenza" -> "president"
        Highlight(stems("citta sicurezza")),  # accents folded both ways
        Highlight(stems("unione incontro ordine")),  # words after an elision
        Highlight(stems("poco")),  # "po'" is the elided "poco"
        Highlight(set(), {"perche"}),  # upper-case accents, an apostrophe for the accent
        Highlight(set(), {"citta", "sindaco"}),
        Highlight(set(), set(), [["citta", "di", "castello"], ["la", "presenza"]]),
        Highlight(stems("persone"), {"1000"}),  # numbers: the whole text is analysed
        Highlight(stems("sicurezza"), {"la"}, [["la", "sicurezza"]]),  # overlaps: phrases win
    ],
)
def test_windows_find_what_the_whole_text_analysis_finds(terms):
    assert match_spans(TEXT, terms) == reference_spans(TEXT, terms)
    assert match_spans(TEXT, terms)  # every case matches something


def test_only_the_words_that_may_match_are_analysed():
    windows = _windows(TEXT, Highlight(stems("sindaco")))
    assert [TEXT[start:end] for start, end, _, _ in windows] == ["sindaco."]


def test_snippet_marks_the_inflected_form():
    (fragment,) = make_snippets(
        "Parla la presidenza del consiglio.", Highlight(stems("presidente"))
    )
    assert fragment == "Parla la <mark>presidenza</mark> del consiglio."
