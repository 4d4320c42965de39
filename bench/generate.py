"""A seeded generator of synthetic Italian news articles (JSON lines) and the benchmark's queries.

The vocabulary is built at run time, never committed: the words of the shipped ``seeds/`` in their
frequency order (so common Italian words come first), then an Italian word list (Debian's
``witalian``, ``/usr/share/dict/italian``) or any text files given with ``--vocabulary``, shuffled
with the seed. Words are drawn from a Zipf distribution over that ranking, so the index has the
long tail of a real archive. Articles get 400-800 words in paragraphs, a title, one of 40 sources,
one of 400 authors, a date in 2015-2025; about 3% are syndicated copies of an earlier article with
a few words changed (near-duplicates). The same ``--seed`` and ``-n`` give the same bytes.

Usage: python -m bench.generate -n 20000 --seed 1 -o /tmp/articles-20k.jsonl
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import itertools
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
WORD_LIST = Path("/usr/share/dict/italian")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
ZIPF_S = 1.05
SOURCES = 40
AUTHORS = 400
DUPLICATE_SHARE = 0.03


def vocabulary(seed: int, extra: list[Path] | None = None, limit: int = 60000) -> list[str]:
    """Seed words by frequency, then the word list (or ``extra`` texts) shuffled; lower case."""
    counts: Counter[str] = Counter()
    for path in sorted(SEEDS.glob("*.txt")):
        counts.update(w.lower() for w in _WORD.findall(path.read_text("utf-8")))
    ranked = [w for w, _ in counts.most_common()]
    seen = set(ranked)
    tail: list[str] = []
    sources = extra or ([WORD_LIST] if WORD_LIST.exists() else [])
    for path in sources:
        for word in _WORD.findall(path.read_text("utf-8", errors="replace")):
            word = word.lower()
            if len(word) > 2 and word not in seen:
                seen.add(word)
                tail.append(word)
    if not tail:
        print("note: no Italian word list (apt install witalian); seed words only", file=sys.stderr)
    random.Random(seed).shuffle(tail)
    return (ranked + tail)[:limit]


class Zipf:
    """Draws words with probability proportional to 1 / rank ** s."""

    def __init__(self, words: list[str], rng: random.Random, s: float = ZIPF_S):
        self.words = words
        self.rng = rng
        self.cum = list(itertools.accumulate(1.0 / (r**s) for r in range(1, len(words) + 1)))

    def draw(self, k: int) -> list[str]:
        total = self.cum[-1]
        rnd = self.rng.random
        cum = self.cum
        words = self.words
        return [words[bisect.bisect_left(cum, rnd() * total)] for _ in range(k)]


def _sentence(zipf: Zipf, rng: random.Random) -> str:
    words = zipf.draw(rng.randint(8, 24))
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", ";", "?"])[:1]


def _names(rng: random.Random, words: list[str], n: int) -> list[str]:
    # Names from the middle of the ranking (neither stop words nor hapaxes); with the seed words
    # alone (no word list installed) that stretch is empty, so any word of four letters or more.
    pool = [w for w in words[2000:20000] if len(w) > 3] or [w for w in words if len(w) > 3]
    return [f"{rng.choice(pool).capitalize()} {rng.choice(pool).capitalize()}" for _ in range(n)]


def articles(n: int, seed: int = 1, extra: list[Path] | None = None) -> Iterator[dict]:
    """``n`` article records, deterministic for ``seed``."""
    rng = random.Random(seed)
    words = vocabulary(seed, extra)
    zipf = Zipf(words, rng)
    sources = [f"{w.capitalize()} Notizie" for w in _names(rng, words, SOURCES)]
    authors = _names(rng, words, AUTHORS)
    start = datetime.date(2015, 1, 1).toordinal()
    span = datetime.date(2025, 12, 31).toordinal() - start
    recent: list[dict] = []
    for i in range(n):
        if recent and rng.random() < DUPLICATE_SHARE:
            original = rng.choice(recent)
            body = original["body"].split(" ")
            for _ in range(rng.randint(2, 6)):
                body[rng.randrange(len(body))] = zipf.draw(1)[0]
            record = {**original, "id": f"syn-{seed}-{i}", "body": " ".join(body)}
            record["source"] = rng.choice(sources)
        else:
            target = rng.randint(400, 800)
            paragraphs, count = [], 0
            while count < target:
                para = " ".join(_sentence(zipf, rng) for _ in range(rng.randint(2, 5)))
                count += para.count(" ") + 1
                paragraphs.append(para)
            title = " ".join(zipf.draw(rng.randint(6, 12))).capitalize()
            date = datetime.date.fromordinal(start + rng.randrange(span))
            record = {
                "id": f"syn-{seed}-{i}",
                "title": title,
                "body": "\n\n".join(paragraphs),
                "source": rng.choice(sources),
                "author": rng.choice(authors),
                "date": date.isoformat(),
                "url": f"https://example.org/{date.year}/{i}",
            }
            recent.append(record)
            if len(recent) > 200:
                recent.pop(0)
        yield record


def write_corpus(path: Path, n: int, seed: int = 1, extra: list[Path] | None = None) -> Path:
    """Write ``n`` articles as JSON lines to ``path`` (atomically)."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for record in articles(n, seed, extra):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20000, help="articles to generate")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("-o", "--output", type=Path, required=True, help="JSONL file to write")
    parser.add_argument(
        "--vocabulary", type=Path, action="append", help="text files for the word list"
    )
    args = parser.parse_args()
    write_corpus(args.output, args.n, args.seed, args.vocabulary)
    print(f"wrote {args.n:,} articles to {args.output}")


if __name__ == "__main__":
    main()
