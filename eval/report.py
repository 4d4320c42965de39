"""Markdown tables for RESULTS.md; generated sections are replaced in place, the rest is kept."""

from __future__ import annotations

import re
from pathlib import Path

from eval.metrics import Scores

HEADER = """# Rassegna relevance evaluation

Generated sections are rewritten by `python -m eval.run`; the text outside the
`<!-- eval:… -->` markers is written by hand and kept.
"""


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main_section(
    name: str,
    context: dict[str, str],
    rows: list[tuple[str, str, Scores]],
    build_seconds: dict[str, float | None],
    articles: int,
) -> str:
    out = [f"## Known-item search on {name}: Rassegna vs baselines", ""]
    out += [
        f"- {key}: `{value}`" if key == "command" else f"- {key}: {value}"
        for key, value in context.items()
    ]
    out += [
        "",
        "The records are indexed without their titles (the queries are the headlines): the "
        "baselines index the bodies; Rassegna indexes each record as a user would give it, so "
        "the title it derives from the first sentence is in play, and answers through "
        "`search()` with the API's defaults (every copy a hit). `headline`: the "
        "headline pasted as is; `keywords`: its three longest non-stop-words in their original "
        "order. Metrics at cutoff 10; one relevant article per query, so nDCG@10 is "
        "1/log2(rank+1). A query a system cannot parse counts as a miss (`parse failures`).",
        "",
    ]
    body = [[label, style, *scores.row(), str(scores.failures)] for label, style, scores in rows]
    out.append(
        table(
            ["system", "style", "MRR@10", "Success@1", "Success@10", "nDCG@10", "parse failures"],
            body,
        )
    )
    out += ["", "Index build:", ""]
    build_rows = []
    for kind, seconds in build_seconds.items():
        if seconds is None:
            build_rows.append([kind, "cached", ""])
        else:
            build_rows.append([kind, f"{seconds:.1f}", f"{articles / seconds:,.0f}"])
    out.append(table(["system", "seconds", "articles/s"], build_rows))
    return "\n".join(out) + "\n"


def coverage_section(name: str, command: str, rows: list[tuple[str, str, Scores]]) -> str:
    """Story coverage: a headline finds the other article written on the same event."""
    count = rows[0][2].queries if rows else 0
    out = [
        f"## Story coverage on {name}: Rassegna vs baselines",
        "",
        f"- command: `{command}`",
        "",
        f"Each same-event pair (A, B) whose article has a headline among the known-item queries, "
        f"both ways ({count:,} queries): A's headline (or its keyword form) is the query and B, "
        "another article on the same event, is the one relevant article; A stays in the index. "
        "Same indexes and defaults as the table above. `Success@10` is the story's recall at "
        "ten.",
        "",
        table(
            ["system", "style", "MRR@10", "Success@1", "Success@10", "nDCG@10"],
            [[label, style, *scores.row()] for label, style, scores in rows],
        ),
    ]
    return "\n".join(out) + "\n"


def write_section(path: Path, name: str, text: str) -> None:
    """Replace the ``name`` section of the results file (appending it the first time)."""
    begin, end = f"<!-- eval:{name} -->", f"<!-- /eval:{name} -->"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    current = path.read_text("utf-8") if path.exists() else HEADER
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(current):
        updated = pattern.sub(lambda _: block, current)
    else:
        updated = current.rstrip() + "\n\n" + block + "\n"
    path.write_text(updated, "utf-8")
