"""Reading the evaluation inputs: the corpus (as the real reader cleans it) and the queries."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from search.analysis import ITALIAN_STOP_WORDS, fold_accents
from search.articles import Article, read_sources

KEYWORDS = 3
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Query:
    qid: str
    text: str  # the headline as pasted
    relevant: list[str]


def read_articles(path: str | Path) -> list[Article]:
    """The corpus's articles exactly as the indexer reads and cleans them (problems dropped)."""
    by_id: dict[str, Article] = {}
    for item in read_sources([Path(path)]):
        if isinstance(item, Article):
            by_id[item.id] = item  # the indexer keeps the last of duplicate ids too
    return list(by_id.values())


def read_queries(path: str | Path) -> list[Query]:
    """``{qid, query, relevant_ids}`` per line; blank lines skipped."""
    out = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                out.append(Query(str(row["qid"]), row["query"], list(row["relevant_ids"])))
    return out


def is_stop_word(word: str) -> bool:
    return fold_accents(word.lower()) in ITALIAN_STOP_WORDS


def keyword_form(headline: str, n: int = KEYWORDS) -> str:
    """The ``n`` longest non-stop-words of the headline, in their original order.

    Ties in length go to the earlier word. Words are runs of letters/digits, so "dell'Ucraina"
    gives "dell" (a stop word) and "Ucraina".
    """
    words = [(i, w) for i, w in enumerate(_WORD.findall(headline)) if not is_stop_word(w)]
    longest = sorted(words, key=lambda pair: (-len(pair[1]), pair[0]))[:n]
    return " ".join(w for _, w in sorted(longest))


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes, for cache keys."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
