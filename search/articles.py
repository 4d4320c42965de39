"""Reading sources into articles: .jsonl, .csv, .txt and .md files, alone or in directories.

`read_sources` never raises on bad input. Whatever it cannot read or had to repair becomes a
`Problem` in the same stream as the articles, so a build can index the rest and report the
problems with a file and line a person can open.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from search.cleaning import (
    clean_scraped_text,
    derive_title,
    normalize_paragraphs,
    parse_date,
)

__all__ = [
    "MAX_BODY_CHARS",
    "SUPPORTED_SUFFIXES",
    "Article",
    "Problem",
    "parse_date",
    "read_sources",
]

MAX_BODY_CHARS = 200_000  # bodies longer than this are truncated and reported ("repaired")
SUPPORTED_SUFFIXES = (".txt", ".md", ".jsonl", ".csv")
BINARY_SNIFF_BYTES = 8192
_WORD_RE = re.compile(r"\S*\w\S*")


@dataclass
class Article:
    """One news article, cleaned and ready to index."""

    id: str
    title: str
    title_derived: bool
    body: str
    author: str | None
    source: str | None
    date: datetime.date | None
    url: str | None
    origin: str

    @property
    def word_count(self) -> int:
        """Words in the body: whitespace-separated tokens with a letter or digit in them."""
        return len(_WORD_RE.findall(self.body))

    @property
    def content_hash(self) -> str:
        """SHA-256 over title, body, author, source, date and url; stable across runs."""
        payload = [
            self.title,
            self.body,
            self.author,
            self.source,
            self.date.isoformat() if self.date else None,
            self.url,
        ]
        encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass
class Problem:
    """Something wrong with an input: skipped (not indexed) or repaired (indexed anyway)."""

    origin: str
    reason: str
    skipped: bool

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


def read_sources(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    max_body_chars: int = MAX_BODY_CHARS,
) -> Iterator[Article | Problem]:
    """Yield articles (and problems, in order) from files and directories (recursive).

    Directories are walked in sorted order, taking .txt, .md, .jsonl and .csv files and
    ignoring other files, hidden files and directories, and symlinked directories.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in _walk(path):
                yield from _read_file(file, max_body_chars)
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                yield Problem(
                    str(path), "unsupported file type (expected .txt, .md, .jsonl, .csv)", True
                )
            else:
                yield from _read_file(path, max_body_chars)
        elif path.exists():
            yield Problem(str(path), "not a regular file or directory", True)
        else:
            yield Problem(str(path), "no such file or directory", True)


def _walk(directory: Path) -> Iterator[Path]:
    for entry in sorted(directory.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if not entry.is_symlink():
                yield from _walk(entry)
        elif entry.is_file() and entry.suffix.lower() in SUPPORTED_SUFFIXES:
            yield entry


def _read_file(path: Path, max_body_chars: int) -> Iterator[Article | Problem]:
    origin = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        yield Problem(origin, f"cannot read: {error.strerror or error}", True)
        return
    decoded = _decode(data)
    if isinstance(decoded, Problem):
        yield Problem(origin, decoded.reason, decoded.skipped)
        return
    text, encoding_note = decoded
    if not text.strip():
        yield Problem(origin, "empty file", True)
        return
    if encoding_note:
        yield Problem(origin, encoding_note, False)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        items = _read_jsonl(text, path)
    elif suffix == ".csv":
        items = _read_csv(text, path)
    else:
        items = _read_text(text, path)
    for item in items:
        if isinstance(item, Article):
            yield from _truncate(item, max_body_chars)
        else:
            yield item


def _decode(data: bytes) -> tuple[str, str | None] | Problem:
    """Text and a note on the encoding when it was not plain UTF-8, or a Problem."""
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        return Problem("", "binary file", True)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 byte order mark removed"
        except UnicodeDecodeError:
            data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not valid UTF-8; decoded as cp1252"
    except UnicodeDecodeError:
        return Problem("", "binary file: neither UTF-8 nor cp1252 text", True)


def _truncate(article: Article, max_body_chars: int) -> Iterator[Article | Problem]:
    length = len(article.body)
    if length > max_body_chars:
        # Cut at a space when one is near, so no half word gets indexed.
        cut = article.body[:max_body_chars]
        space = cut.rfind(" ", max_body_chars - 1000)
        if space > 0 and max_body_chars - space < 1000:
            cut = cut[:space]
        article.body = cut.rstrip()
        yield Problem(
            article.origin,
            f"body truncated from {length:,} to {len(article.body):,} characters",
            False,
        )
    yield article


# --- structured records (JSONL, CSV) ----------------------------------------------------------


def _text_field(record: dict[str, object], name: str) -> str | None:
    value = record.get(name)
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _article_from_record(
    record: dict[str, object], path: Path, line: int
) -> Iterator[Article | Problem]:
    """One article from a JSONL object or CSV row, or the Problem that stops it.

    A record without an id is still indexed under the id `<file stem>:<line>` and reported as
    repaired: losing the article would be worse than an id that changes if the file is edited.
    """
    origin = f"{path}:{line}"
    raw_body = record.get("body") or record.get("text")
    if raw_body is not None and not isinstance(raw_body, str):
        yield Problem(origin, f"body is not text: got {type(raw_body).__name__}", True)
        return
    paragraphs = normalize_paragraphs(raw_body or "")
    title = _text_field(record, "title")
    if not paragraphs and title is None:
        # A headline-only item (a brief, an RSS item) is indexed; nothing at all is skipped.
        yield Problem(origin, "missing body and title", True)
        return
    body = "\n\n".join(paragraphs)

    problems: list[Problem] = []
    article_id = _text_field(record, "id")
    if article_id is None:
        article_id = f"{path.stem}:{line}"
        problems.append(Problem(origin, f"missing id; using {article_id!r}", False))

    date = None
    raw_date = record.get("date")
    if raw_date not in (None, ""):
        try:
            date = parse_date(raw_date)
        except ValueError:
            problems.append(Problem(origin, f"invalid date '{raw_date}'; kept without date", False))

    yield from problems
    yield Article(
        id=article_id,
        title=title or derive_title(body),
        title_derived=title is None,
        body=body,
        author=_text_field(record, "author"),
        source=_text_field(record, "source"),
        date=date,
        url=_text_field(record, "url"),
        origin=origin,
    )


def _read_jsonl(text: str, path: Path) -> Iterator[Article | Problem]:
    # split("\n"), not splitlines(): JSON strings may hold U+2028 and friends unescaped.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield Problem(f"{path}:{number}", f"malformed JSON: {error.msg}", True)
            continue
        if not isinstance(record, dict):
            kind = type(record).__name__
            yield Problem(f"{path}:{number}", f"not a JSON object: got {kind}", True)
            continue
        yield from _article_from_record(record, path, number)


def _read_csv(text: str, path: Path) -> Iterator[Article | Problem]:
    rows = list(_csv_rows(text, path))
    header: list[str] | None = None
    for line, row in rows:
        if isinstance(row, Problem):
            yield row
            continue
        if header is None:
            header = [name.strip().lower() for name in row]
            if "body" not in header and "text" not in header:
                yield Problem(f"{path}:{line}", "CSV header has no 'body' or 'text' column", True)
                return
            continue
        if len(row) != len(header):
            yield Problem(
                f"{path}:{line}",
                f"malformed CSV row: {len(row)} fields, header has {len(header)}",
                True,
            )
            continue
        yield from _article_from_record(dict(zip(header, row, strict=True)), path, line)


def _csv_rows(text: str, path: Path) -> Iterator[tuple[int, list[str] | Problem]]:
    """Non-empty CSV rows with the physical line each starts on, errors as Problems."""
    previous_limit = csv.field_size_limit()
    # A field may be as long as the file (bodies beyond 128 KiB are truncated later, not lost).
    csv.field_size_limit(max(previous_limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows: list[tuple[int, list[str] | Problem]] = []
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                rows.append((start, Problem(f"{path}:{start}", f"malformed CSV: {error}", True)))
                start = reader.line_num + 1
                continue
            if any(field.strip() for field in row):
                rows.append((start, row))
            start = reader.line_num + 1
        return iter(rows)
    finally:
        csv.field_size_limit(previous_limit)


# --- scraped text (.txt, .md) ------------------------------------------------------------------

_FRONT_MATTER_LINE_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


def _split_front_matter(text: str) -> tuple[dict[str, str], list[int], str]:
    """Front matter fields, the numbers of lines that could not be read, and the rest.

    Front matter is a `---` line, simple `key: value` lines (values may be quoted) and a
    closing `---` line; without the closing line the text has no front matter.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, [], text
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        return {}, [], text
    fields: dict[str, str] = {}
    unreadable: list[int] = []
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _FRONT_MATTER_LINE_RE.match(line.strip())
        if match is None:
            unreadable.append(number)
            continue
        value = match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        fields[match.group(1).lower()] = value
    return fields, unreadable, "\n".join(lines[end + 1 :])


def _read_text(text: str, path: Path) -> Iterator[Article | Problem]:
    origin = str(path)
    fields, unreadable, content = _split_front_matter(text)
    for number in unreadable:
        yield Problem(f"{path}:{number}", "unreadable front matter line; ignored", False)
    cleaned = clean_scraped_text(content)
    if not cleaned.paragraphs:
        yield Problem(origin, "missing body", True)
        return

    date = cleaned.date
    if fields.get("date"):
        try:
            date = parse_date(fields["date"])
        except ValueError:
            kept = f"kept with date {date} from the text" if date else "kept without date"
            yield Problem(origin, f"invalid date '{fields['date']}'; {kept}", False)

    title = fields.get("title") or cleaned.title
    yield Article(
        id=fields.get("id") or path.stem,
        title=title,
        title_derived=False if fields.get("title") else cleaned.title_derived,
        body=cleaned.body,
        author=fields.get("author") or cleaned.author,
        source=fields.get("source") or cleaned.source,
        date=date,
        url=fields.get("url") or None,
        origin=origin,
    )
