"""Ranking levers measured one at a time on the real index (no rebuild: all are query-time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from eval.metrics import Scores
from eval.report import table
from search.ranking import DEFAULT, RankingParams

# The ranking before this evaluation: strict coordination (all words first), no exact-form bonus.
BEFORE = replace(DEFAULT, coordination=True, coordination_mode="count", exact_boost=0.0)

# (lever, starting point, changes); each row changes one thing against its starting point.
LEVERS: list[tuple[str, RankingParams, dict]] = [
    ("before: strict coordination (all words first), K1=1.2, B=0.75, lead +1", BEFORE, {}),
    ("plain OR (no coordination)", BEFORE, {"coordination": False}),
    ("soft coordination: score x matched/n", BEFORE, {"coordination_mode": "soft"}),
    ("K1 = 2.0", BEFORE, {"k1": 2.0}),
    ("B = 0.9", BEFORE, {"b": 0.9}),
    ("lead not weighted (lead +0)", BEFORE, {"lead_boost": 0.0}),
    ("lead weighted like a title (lead +2)", BEFORE, {"lead_boost": 2.0}),
    ("proximity: word pairs within 3 positions, +0.5", BEFORE, {"proximity_boost": 0.5}),
    (
        "soft coordination weighted by idf: score x matched idf / query idf",
        BEFORE,
        {"coordination_mode": "soft-idf"},
    ),
    ("exact (unstemmed) form bonus +1", BEFORE, {"exact_boost": 1.0}),
    ("**chosen DEFAULT** (idf-weighted soft coordination + exact form +1)", DEFAULT, {}),
    (
        "DEFAULT with unweighted soft coordination (score x matched/n)",
        DEFAULT,
        {"coordination_mode": "soft"},
    ),
    ("DEFAULT + proximity (pairs within 3, +0.5)", DEFAULT, {"proximity_boost": 0.5}),
]

NOTES = """\
Not measured here, with the reason:

- Accent folding and elision: index-time analysis (search/analysis.py, not an evaluation
  parameter); turning them off needs a second analyzer and a rebuild. Left as is: both are
  needed for user input that types `perche'`/`perché`/`perche` and `l'auto`/`l auto`.
- Stemming strength (Snowball vs a light stemmer): index-time as well; not done in this round.
  The exact-form bonus above is the query-time half of it: it rewards the unstemmed form.
- Stop words in long pasted queries: they are removed by the analyzer on both sides (the
  baselines remove them too); the exact-form bonus skips them as well, so a pasted headline's
  articles and prepositions never count.
- Title boost: irrelevant here (titles are not indexed in this evaluation).
"""


def run(
    directory: Path,
    items: dict[str, list[tuple[str, list[str]]]],
    workers: int,
    log: Callable[[str], None],
    main_rows: list[tuple[str, str, Scores]],
) -> str:
    from eval.run import run_queries

    best = {}
    for label, style, scores in main_rows:
        if not label.startswith("rassegna"):
            best[style] = max(best.get(style, 0.0), scores.mrr)
    rows = []
    for lever, start, changes in LEVERS:
        params = replace(start, **changes)
        mrr = {}
        for style in ("headline", "keywords"):
            mrr[style] = run_queries(
                "rassegna", directory, items[style], workers, params=params
            ).mrr
        log(f"lever {lever:60} H {mrr['headline']:.3f} K {mrr['keywords']:.3f}")
        rows.append([lever, f"{mrr['headline']:.3f}", f"{mrr['keywords']:.3f}"])
    out = [
        "## Ranking levers (MRR@10, one change at a time)",
        "",
        f"Best baseline: headline {best.get('headline', 0):.3f}, "
        f"keywords {best.get('keywords', 0):.3f}. Collapse off. Rows above the chosen DEFAULT "
        "change one thing against the ranking before this evaluation; rows below it take one "
        "thing back out of (or add one thing to) the chosen DEFAULT.",
        "",
        table(["lever", "MRR@10 headline", "MRR@10 keywords"], rows),
        "",
        f"Chosen `DEFAULT`: `{DEFAULT}`",
        "",
        NOTES,
    ]
    return "\n".join(out)
