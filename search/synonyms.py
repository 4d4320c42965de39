"""Name variants searched together (Kiev/Kyiv), read from a small text file when first needed.

The format is in the shipped default, ``search/synonyms.txt``: one group of spellings a line,
separated by commas. ``RASSEGNA_SYNONYMS`` points to another file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from search import config
from search.analysis import ITALIAN_STOP_WORDS
from search.analysis import cached_exact_analyzer as exact_analyzer
from search.errors import ConfigError

MAX_RUN = 4  # the longest spelling, in words, matched in a query

Key = tuple[str, ...]


def spelling_key(text: str) -> Key:
    """A spelling as matched: its exact (lowercased, accent-folded) words without stop words."""
    return tuple(t.text for t in exact_analyzer()(text) if t.text not in ITALIAN_STOP_WORDS)


@dataclass
class Synonyms:
    """Spelling key -> the other spellings of its groups, as written in the file."""

    variants: dict[Key, list[str]] = field(default_factory=dict)
    # Which file (path, mtime, size) it was read from: part of the result cache's key.
    version: tuple = ()

    def __bool__(self) -> bool:
        return bool(self.variants)

    def match(self, words: list[Key | None]) -> dict[int, list[str]]:
        """For consecutive query words (their keys; None for a clause that is not a plain word),
        the variants to search, by the index of the last word of each matched run; the longest
        run wins, runs do not overlap and do not cross a None."""
        out: dict[int, list[str]] = {}
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + MAX_RUN) - 1, i - 1, -1):
                run = words[i : j + 1]
                if not (run[0] and run[-1]) or None in run:  # start and end on a searchable word
                    continue
                key = tuple(t for w in run for t in w or ())
                if key in self.variants:
                    out[j] = self.variants[key]
                    i = j + 1
                    break
            else:
                i += 1
        return out


def parse_synonyms(text: str, origin: str = "synonyms") -> Synonyms:
    """Read the file format; raise :class:`ConfigError` naming the line that is wrong."""
    groups: dict[Key, dict[str, None]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        spellings = [s.strip() for s in line.split(",") if s.strip()]
        keys = {}
        for spelling in spellings:
            key = spelling_key(spelling)
            if not key:
                raise ConfigError(
                    f"{origin}, line {number}: {spelling!r} has no searchable word (only stop "
                    "words or punctuation); remove it or fix the line."
                )
            keys.setdefault(key, spelling)
        if len(keys) < 2:
            raise ConfigError(
                f"{origin}, line {number}: a group needs at least two different spellings "
                f"separated by commas (like `Kiev, Kyiv`); got {line!r}."
            )
        for key in keys:
            others = groups.setdefault(key, {})
            others.update((s, None) for k, s in keys.items() if k != key)
    return Synonyms({key: list(others) for key, others in groups.items()})


_LOADED: dict[tuple[str, int, int], Synonyms] = {}


def load_synonyms(path: str | os.PathLike[str] | None = None) -> Synonyms:
    """The synonyms of ``path`` (default: ``RASSEGNA_SYNONYMS``), re-read when the file changes."""
    source = Path(path if path is not None else config.get("synonyms")).expanduser()
    try:
        stat = source.stat()
        cache_key = (str(source.resolve()), stat.st_mtime_ns, stat.st_size)
        if cache_key in _LOADED:
            return _LOADED[cache_key]
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"Cannot read the synonyms file {source} ({exc.__class__.__name__}: {exc}); "
            "fix RASSEGNA_SYNONYMS or the file (UTF-8 text)."
        ) from None
    synonyms = parse_synonyms(text, str(source))
    synonyms.version = cache_key
    _LOADED.clear()  # one file in use at a time: keep only the newest
    _LOADED[cache_key] = synonyms
    return synonyms
