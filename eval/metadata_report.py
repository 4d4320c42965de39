"""Metadata coverage: how many articles get a date, a source and an author, read the way the
indexer reads them (``search.articles.read_sources``), and a sample of the values to check by hand.

    .venv/bin/python eval/metadata_report.py /work/shared/corpora/dice/articles.jsonl \
        /work/shared/corpora/p1va/articles.jsonl seeds/
    .venv/bin/python eval/metadata_report.py --sample 30 --seed 1 …   # values to hand-check

Only ``read_sources`` and the ``Article`` fields are used, so the same script measures an older
checkout of ``search/`` (put it first on ``PYTHONPATH``) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from search.articles import Article, read_sources

FIELDS = ("date", "source", "author")
# A full date written in the text ("3 marzo 2024", "3/3/2024"): what an extractor must not take
# for the article's date unless the page presents it as such.
_MONTHS = (
    "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre"
)
MENTIONED_DATE_RE = re.compile(
    rf"\b\d{{1,2}}\s*º?\s+(?:{_MONTHS})\s+\d{{4}}\b|\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}}\b",
    re.IGNORECASE,
)
CHECKED = (*FIELDS, "title")


def raw_records(path: Path) -> dict[str, dict]:
    """The records of a JSONL file by origin (``path:line``), to tell given from derived values."""
    if path.suffix != ".jsonl":
        return {}
    records = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                records[f"{path}:{number}"] = json.loads(line)
    return records


def measure(path: Path) -> tuple[dict[str, object], list[tuple[Article, str, dict]]]:
    """Coverage counts for one source, and every value the reader derived, respelled or dropped
    (a record's title counts when the reader changed it)."""
    records = raw_records(path)
    counts: Counter[str] = Counter()
    distinct: dict[str, set[str]] = {"source": set(), "author": set()}
    derived: list[tuple[Article, str, dict]] = []
    for item in read_sources([path]):
        if not isinstance(item, Article):
            continue
        counts["articles"] += 1
        record = records.get(item.origin, {})
        mentions = bool(MENTIONED_DATE_RE.search(item.body))
        counts["mentions"] += mentions
        if item.date and not record.get("date"):
            counts["text_dates"] += 1
        for name in CHECKED:
            value = getattr(item, name)
            given = record.get(name)
            if name == "date":
                given = given[:10] if isinstance(given, str) else given
                value = value.isoformat() if value else None
            if value is not None and name in FIELDS:
                counts[name] += 1
            if value is not None and name in distinct:
                distinct[name].add(value)
            if name == "title":
                # Whitespace was always collapsed; only a real change is worth a look.
                given = " ".join(given.split()) if isinstance(given, str) and given else value
            if given != value:
                derived.append((item, name, record))
    summary = dict(counts)
    summary.update({f"distinct_{k}s": len(v) for k, v in distinct.items()})
    return summary, derived


def evidence(article: Article, name: str, record: dict) -> str:
    """What a person checks the value against: the record's value, or the text it came from."""
    given = record.get(name)
    if given not in (None, ""):
        return f"record {name}: {given!r}"
    parts = []
    if article.url:
        parts.append(f"url {article.url}")
    body = article.body.replace("\n\n", " ¶ ")
    parts.append(f"opens {body[:140]!r}")
    parts.append(f"ends {body[-120:]!r}")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="corpus files or folders")
    parser.add_argument("--sample", type=int, default=0, help="print this many derived values")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the sample")
    args = parser.parse_args(argv)

    print(
        "| corpus | articles | date | source | author | distinct sources | distinct authors "
        "| bodies mentioning a full date | dates not from a date field |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    pool: list[tuple[Path, Article, str, dict]] = []
    for path in args.paths:
        summary, derived = measure(path)
        n = summary.get("articles", 0)

        def cell(name: str, n: int = n, summary: dict = summary) -> str:
            k = summary.get(name, 0)
            return f"{k:,} ({100 * k / n:.1f}%)" if n else "0"

        print(
            f"| {path} | {n:,} | {cell('date')} | {cell('source')} | {cell('author')} "
            f"| {summary.get('distinct_sources', 0):,} | {summary.get('distinct_authors', 0):,} "
            f"| {summary.get('mentions', 0):,} | {summary.get('text_dates', 0):,} |"
        )
        pool.extend((path, article, name, record) for article, name, record in derived)

    if args.sample:
        rng = random.Random(args.seed)
        # Spread the sample: an equal share for each corpus and field, the rest at random.
        groups: dict[tuple[Path, str], list] = {}
        for entry in pool:
            groups.setdefault((entry[0], entry[2]), []).append(entry)
        share = max(1, args.sample // max(1, len(groups)))
        chosen = []
        for entries in groups.values():
            chosen.extend(rng.sample(entries, min(share, len(entries))))
        rest = [e for e in pool if e not in chosen]
        chosen.extend(rng.sample(rest, min(len(rest), args.sample - len(chosen))))
        chosen = chosen[: args.sample]
        print(f"\n{len(chosen)} of {len(pool):,} derived, respelled or dropped values:\n")
        for number, (_, article, name, record) in enumerate(chosen, start=1):
            value = getattr(article, name)
            print(f"{number}. {article.id} {name} = {value!s} ← {evidence(article, name, record)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
