"""Ranking levers measured one at a time, on every corpus and both query styles.

Query-time levers (coordination, exact-form bonus, K1/B, proximity) search the index the main
run built; index-time levers (the field weights of the ranked ``text`` field) build their own
variant of it, cached like the main one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from eval.report import table
from search.ranking import DEFAULT, FIELD_WEIGHTS, FieldWeights, RankingParams

# The sound base: one BM25F field, no rerank and no bonus on top.
BASE = replace(DEFAULT, coordination=False, exact_boost=0.0)

# (lever, ranking parameters, field weights); each row changes one thing against its start.
LEVERS: list[tuple[str, RankingParams, FieldWeights]] = [
    ("base: one weighted BM25F field (K1 1.2, B 0.75), no rerank, no bonus", BASE, FIELD_WEIGHTS),
    (
        "base + idf-weighted soft coordination (score x matched idf / query idf)",
        replace(BASE, coordination=True, coordination_mode="soft-idf"),
        FIELD_WEIGHTS,
    ),
    (
        "base + plain soft coordination (score x matched/n)",
        replace(BASE, coordination=True, coordination_mode="soft"),
        FIELD_WEIGHTS,
    ),
    (
        "base + strict coordination (all words first)",
        replace(BASE, coordination=True, coordination_mode="count"),
        FIELD_WEIGHTS,
    ),
    ("base + exact (unstemmed) form bonus +1", replace(BASE, exact_boost=1.0), FIELD_WEIGHTS),
    ("base + exact form bonus +0.5", replace(BASE, exact_boost=0.5), FIELD_WEIGHTS),
    ("**chosen DEFAULT**", DEFAULT, FIELD_WEIGHTS),
    ("DEFAULT, byline words not indexed (byline 0)", DEFAULT, replace(FIELD_WEIGHTS, byline=0.0)),
    ("DEFAULT, lead (first paragraph) weight 2", DEFAULT, replace(FIELD_WEIGHTS, lead=2.0)),
    ("DEFAULT, K1 = 2.0", replace(DEFAULT, k1=2.0), FIELD_WEIGHTS),
    ("DEFAULT, B = 0.9", replace(DEFAULT, b=0.9), FIELD_WEIGHTS),
    (
        "DEFAULT + proximity (word pairs within 3 positions, +0.5)",
        replace(DEFAULT, proximity_boost=0.5),
        FIELD_WEIGHTS,
    ),
]

NOTES = """\
Not measured here, with the reason:

- The title weight: the known-item corpora are indexed without their titles (the queries are
  the headlines), so no real title is in these indexes; it stays at a round 2 (a headline word
  counts twice a body occurrence, inside one saturating BM25F frequency).
- Accent folding, elision, stemming strength: index-time analysis shared with the query side,
  left as they are (see search/analysis.py).
"""


def run(
    states: list[dict],
    args,
    cache_root: Path,
    log: Callable[[str], None],
    main_runs: list[dict],
) -> str:
    """Measure every lever on every corpus; the markdown section for RESULTS.md."""
    from eval.run import prepare, run_queries

    header = ["lever"]
    for state in states:
        header += [f"{state['dataset'].name} headline", f"{state['dataset'].name} keywords"]
    best_row = ["best baseline"]
    for run in main_runs:
        for style in ("headline", "keywords"):
            baselines = [
                s.mrr for label, st, s in run["rows"] if st == style and "rassegna" not in label
            ]
            best_row.append(f"{max(baselines):.3f}")
    rows = [best_row]
    for lever, params, weights in LEVERS:
        row = [lever]
        for state in states:
            directory = state["built"]["rassegna"][0]
            if weights != FIELD_WEIGHTS:
                system, directory, _ = prepare(
                    "rassegna",
                    state["articles"],
                    state["corpus"],
                    cache_root,
                    state["digest"],
                    args.fresh,
                    args.procs,
                    log,
                    weights=weights,
                )
                system.close()
            for style in ("headline", "keywords"):
                scores = run_queries(
                    "rassegna", directory, state["items"][style], args.workers, params=params
                )
                row.append(f"{scores.mrr:.3f}")
        log(f"lever {lever[:60]:60} " + " ".join(row[1:]))
        rows.append(row)
    out = [
        "## Ranking levers (MRR@10, one change at a time)",
        "",
        "Same corpora, queries and defaults (near-duplicates collapsed) as the tables above. Rows "
        "above the chosen DEFAULT add one thing to the sound base; rows below it change one "
        "thing in the DEFAULT.",
        "",
        table(header, rows),
        "",
        f"Chosen `DEFAULT`: `{DEFAULT}`; field weights: `{asdict(FIELD_WEIGHTS)}`",
        "",
        NOTES,
    ]
    return "\n".join(out)
