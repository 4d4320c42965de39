"""Measure analysis speed on the DICE article bodies; prints tokens/s for each analyzer.

Usage: python bench/bench_analysis.py [ARTICLES_JSONL] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from whoosh.analysis import StemmingAnalyzer

from search.analysis import exact_analyzer, italian_analyzer

DEFAULT_CORPUS = Path("/work/shared/corpora/dice/articles.jsonl")


def load_bodies(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [body for line in f if (body := json.loads(line).get("body"))]


def measure(analyzer, bodies: list[str], repeat: int, **kwargs) -> tuple[int, float, float]:
    """Best-of-``repeat`` times to analyze every body: (tokens, CPU seconds, wall seconds).

    CPU time is the steadier number on a shared machine; wall time is what a build waits.
    """
    best_cpu = best_wall = float("inf")
    count = 0
    for _ in range(repeat):
        count = 0
        cpu, wall = time.process_time(), time.perf_counter()
        for body in bodies:
            for _token in analyzer(body, **kwargs):
                count += 1
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return count, best_cpu, best_wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3, help="runs per analyzer; best is kept")
    args = parser.parse_args()

    bodies = load_bodies(args.corpus)
    chars = sum(map(len, bodies))
    print(f"{len(bodies):,} bodies, {chars / 1e6:.1f}M characters, best of {args.repeat}")
    cases = [
        ("italian_analyzer", italian_analyzer(), {}),
        ("italian_analyzer, index mode", italian_analyzer(), {"positions": True, "mode": "index"}),
        (
            "italian_analyzer, highlight mode",
            italian_analyzer(),
            {"chars": True, "removestops": False},
        ),
        ("exact_analyzer", exact_analyzer(), {}),
        ("exact_analyzer, index mode", exact_analyzer(), {"positions": True, "mode": "index"}),
        ("whoosh StemmingAnalyzer (English, reference)", StemmingAnalyzer(), {}),
    ]
    for name, analyzer, kwargs in cases:
        count, cpu, wall = measure(analyzer, bodies, args.repeat, **kwargs)
        print(
            f"{name:45s} {count:>10,} tokens  cpu {cpu:5.2f} s  wall {wall:5.2f} s  "
            f"{count / cpu / 1e6:5.2f} M tokens/s  {chars / cpu / 1e6:5.1f} M chars/s (cpu)"
        )


if __name__ == "__main__":
    main()
