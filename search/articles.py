"""Reading sources into articles: .jsonl, .csv, .txt and .md files, alone or in directories.

`read_sources` never raises on bad input. Whatever it cannot read or had to repair becomes a
`Problem` in the same stream as the articles, so a build can index the rest and report the
problems with a file and line a person can open.
"""

from __future__ import annotations

import csv
import datetime
import errno
import hashlib
import io
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from search.cleaning import (
    clean_scraped_text,
    derive_title,
    normalize_paragraphs,
    parse_date,
)
from search.metadata import (
    article_date,
    author_from_signature,
    canonical_author,
    canonical_source,
    source_from_url,
    strip_outlet_suffix,
)

__all__ = [
    "MAX_BODY_CHARS",
    "SUPPORTED_SUFFIXES",
    "Article",
    "Problem",
    "clean_field",
    "parse_date",
    "read_sources",
]

MAX_BODY_CHARS = 200_000  # bodies longer than this are truncated and reported ("repaired")
# Raw text beyond this many characters is cut before cleaning, so a 20 MB page costs a second,
# not a minute, for a body that would be truncated to MAX_BODY_CHARS anyway.
RAW_TEXT_CAP = 1_000_000
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
    # Length of the text before cleaning when it was cut short first (see RAW_TEXT_CAP).
    raw_length: int = field(default=0, compare=False, repr=False)
    # Which paragraphs of the body are subheadings (kept as headings on the article page; the
    # body itself, and so search and snippets, are the same either way).
    headings: tuple[int, ...] = ()

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
    # The whole source was lost (missing, unreadable, binary, empty), not just one item in it:
    # `update --delete-missing` refuses to run on such a report.
    whole_file: bool = False

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


def read_sources(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    max_body_chars: int = MAX_BODY_CHARS,
) -> Iterator[Article | Problem]:
    """Yield articles (and problems, in order) from files and directories (recursive).

    Directories are walked in sorted order, taking .txt, .md, .jsonl and .csv files; hidden files
    and directories are ignored; other files, symlinked directories and broken or looping
    symlinks get a report line.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for entry in _walk(path):
                if isinstance(entry, Problem):
                    yield entry
                else:
                    yield from _read_file(entry, max_body_chars)
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                yield Problem(display_path(path), UNSUPPORTED, True)
            else:
                yield from _read_file(path, max_body_chars)
        elif path.is_symlink():
            yield Problem(display_path(path), _symlink_problem(path), True, whole_file=True)
        elif path.exists():
            yield Problem(display_path(path), "not a regular file or directory", True, True)
        else:
            yield Problem(display_path(path), "no such file or directory", True, whole_file=True)


UNSUPPORTED = "unsupported file type (expected .txt, .md, .jsonl, .csv)"


def display_path(path: Path) -> str:
    """The path as one printable line: undecodable bytes in file names become U+FFFD, control
    characters (a newline in a name) their escape."""
    text = os.fsencode(path).decode("utf-8", "replace")
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def _file_stem(path: Path) -> str:
    """The file name without its suffix, undecodable bytes as U+FFFD (ids are made from it)."""
    return os.fsencode(path.stem).decode("utf-8", "replace")


def _symlink_problem(path: Path) -> str:
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symlink loop; skipped"
        return f"broken symlink ({error.strerror}); skipped"
    return "symlink to something that is not a regular file; skipped"


def _walk(directory: Path) -> Iterator[Path | Problem]:
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as error:
        reason = f"cannot read directory: {error.strerror or error}"
        yield Problem(display_path(directory), reason, True, whole_file=True)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        origin = display_path(entry)
        if entry.is_symlink():
            if not entry.exists():
                yield Problem(origin, _symlink_problem(entry), True, whole_file=True)
                continue
            if entry.is_dir():
                yield Problem(
                    origin,
                    "symlinked directory; not followed (give it as a source to read it)",
                    True,
                    whole_file=True,
                )
                continue
        if entry.is_dir():
            yield from _walk(entry)
        elif not entry.is_file():
            yield Problem(origin, "not a regular file; skipped", True)
        elif entry.suffix.lower() in SUPPORTED_SUFFIXES:
            yield entry
        else:
            yield Problem(origin, UNSUPPORTED, True)


def _read_file(path: Path, max_body_chars: int) -> Iterator[Article | Problem]:
    origin = display_path(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        try:
            streamed = _jsonl_lines(path)
        except OSError as error:
            yield Problem(origin, f"cannot read: {error.strerror or error}", True, whole_file=True)
            return
        if streamed is not None:
            yield from _read_decoded(origin, streamed[0], streamed[1], path, max_body_chars)
            return
    try:
        data = path.read_bytes()
    except OSError as error:
        yield Problem(origin, f"cannot read: {error.strerror or error}", True, whole_file=True)
        return
    decoded = _decode(data)
    del data
    if isinstance(decoded, str):
        yield Problem(origin, decoded, True, whole_file=True)
        return
    if not decoded.text.strip():
        yield Problem(origin, "empty file", True, whole_file=True)
        return
    yield from _note_problems(origin, decoded.notes)
    if suffix == ".jsonl":
        items = _read_jsonl(decoded.text.split("\n"), path)
    elif suffix == ".csv":
        items = _read_csv(decoded.text, path)
    else:
        items = _read_text(decoded.text, path)
    for item in items:
        if isinstance(item, Article):
            yield from _sanitize(item)
            yield from _truncate(item, max_body_chars)
        else:
            yield item


def _read_decoded(
    origin: str,
    result: _Decoded | str,
    lines: Callable[[], Iterator[str]],
    path: Path,
    max_body_chars: int,
) -> Iterator[Article | Problem]:
    """A JSON-lines file read as a stream: the same problems and articles as a whole read."""
    if isinstance(result, str):
        yield Problem(origin, result, True, whole_file=True)
        return
    if not result.text:  # _jsonl_lines leaves the text empty when every line is blank
        yield Problem(origin, "empty file", True, whole_file=True)
        return
    yield from _note_problems(origin, result.notes)
    for item in _read_jsonl(lines(), path):
        if isinstance(item, Article):
            yield from _sanitize(item)
            yield from _truncate(item, max_body_chars)
        else:
            yield item


def _jsonl_lines(path: Path) -> tuple[_Decoded | str, Callable[[], Iterator[str]]] | None:
    """``_decode`` for a JSON-lines file without holding it in memory: a first pass over its
    lines makes the file-level decisions and collects the notes (``result``, whose text is only
    non-empty or empty), and ``lines()`` reads it again, decoding and repairing each line the
    same way. None for UTF-16 files (read whole). UTF-8 never has a newline byte inside a
    character, so deciding line by line is deciding for the whole file."""
    with path.open("rb") as f:
        head = f.read(BINARY_SNIFF_BYTES + 3)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None
        bom = head.startswith(b"\xef\xbb\xbf")
        sample = head[3 : 3 + BINARY_SNIFF_BYTES] if bom else head[:BINARY_SNIFF_BYTES]
        controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
        if controls > max(1, len(sample) * BINARY_CONTROL_SHARE):
            return "binary file", iter
        f.seek(3 if bom else 0)
        cp1252_lines: list[int] = []
        utf8_seen = False
        for number, raw in enumerate(f, start=1):
            try:
                text = raw.decode("utf-8")
                utf8_seen = utf8_seen or not text.isascii()
            except UnicodeDecodeError:
                cp1252_lines.append(number)
    notes: list[tuple[int | None, str]] = [(None, "UTF-8 byte order mark removed")] if bom else []
    if cp1252_lines:
        if utf8_seen:
            notes += [(n, "not valid UTF-8; line decoded as cp1252") for n in cp1252_lines]
        else:
            notes.append((None, "not valid UTF-8; decoded as cp1252"))
    cp1252 = set(cp1252_lines)

    def lines(repair_notes: list | None = None) -> Iterator[str]:
        with path.open("rb") as f:
            f.seek(3 if bom else 0)
            for number, raw in enumerate(f, start=1):
                raw = raw[:-1] if raw.endswith(b"\n") else raw
                if number in cp1252:
                    line = raw.translate(_CP1252_UNDEFINED).decode("cp1252")
                else:
                    line = raw.decode("utf-8")
                if "\x00" in line:
                    line = line.replace("\x00", "")
                    if repair_notes is not None:
                        repair_notes.append((number, "NUL bytes removed"))
                if _MOJIBAKE_RE.search(line) is not None:
                    repaired = _MOJIBAKE_RE.sub(_unmojibake, line)
                    if repaired != line and repair_notes is not None:
                        repair_notes.append(
                            (number, "mojibake repaired (UTF-8 once read as cp1252)")
                        )
                    line = repaired
                yield line

    repairs: list[tuple[int | None, str]] = []
    blank = True
    for line in lines(repairs):  # every line: the repair notes are collected on the way
        blank = blank and not line.strip()
    return _Decoded("" if blank else "text", notes + repairs), lines


# --- bytes to text, line by line -------------------------------------------------------------

# Bytes that plain text never holds (C0 controls but tab, newlines, vertical tab (line breaks
# in Word exports) and form feed; DEL).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r") + b"\x7f"
BINARY_CONTROL_SHARE = 0.02  # more control bytes than this in the first 8 KiB: a binary file
# The five bytes cp1252 leaves undefined; read as spaces so a stray one never costs a line.
_CP1252_UNDEFINED = bytes.maketrans(b"\x81\x8d\x8f\x90\x9d", b"     ")
MAX_LINE_NOTES = 10  # per reason and file; beyond this, one line for the whole file


@dataclass
class _Decoded:
    text: str
    notes: list[tuple[int | None, str]]  # (line or None for the whole file, what was repaired)


def _decode(data: bytes) -> _Decoded | str:
    """The file's text with notes on what was repaired, or the reason it is not text.

    UTF-8 is decoded line by line: a line that is not valid UTF-8 is read as cp1252 (the only
    other encoding Italian archives use) and only that line is reported; when no line is valid
    non-ASCII UTF-8, the whole file is cp1252 and gets one report line. NUL bytes are removed
    and UTF-8 that was once read as cp1252 (``cittÃ``) is repaired, line by line.
    """
    notes: list[tuple[int | None, str]] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _repair_lines(data.decode("utf-16"), [(None, "UTF-16 text; decoded")])
        except UnicodeDecodeError:
            return "binary file: starts like UTF-16 but is not"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append((None, "UTF-8 byte order mark removed"))
    sample = data[:BINARY_SNIFF_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(1, len(sample) * BINARY_CONTROL_SHARE):  # one stray byte is not binary
        return "binary file"
    try:
        return _repair_lines(data.decode("utf-8"), notes)
    except UnicodeDecodeError:
        pass
    lines: list[str] = []
    cp1252_lines: list[int] = []
    utf8_seen = False
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
            utf8_seen = utf8_seen or not raw.isascii()
        except UnicodeDecodeError:
            lines.append(raw.translate(_CP1252_UNDEFINED).decode("cp1252"))
            cp1252_lines.append(number)
    if utf8_seen:
        notes += [(n, "not valid UTF-8; line decoded as cp1252") for n in cp1252_lines]
    else:
        notes.append((None, "not valid UTF-8; decoded as cp1252"))
    return _repair_lines("\n".join(lines), notes)


def _mojibake_re() -> re.Pattern[str]:
    # A UTF-8 lead byte read as cp1252 (Â Ã Ä Å for Latin letters and signs, â for punctuation
    # such as ’ “ ” – …) followed by continuation bytes read as cp1252.
    continuation = "".join(
        bytes([b]).decode("cp1252") if b not in b"\x81\x8d\x8f\x90\x9d" else chr(b)
        for b in range(0x80, 0xC0)
    )
    cont = f"[{re.escape(continuation)}]"
    return re.compile(f"[ÂÃÄÅ]{cont}|â{cont}{{2}}")


_MOJIBAKE_RE = _mojibake_re()


def _unmojibake(match: re.Match[str]) -> str:
    raw = bytes(ord(ch) if ord(ch) < 0x100 else ch.encode("cp1252")[0] for ch in match.group())
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return match.group()


def _repair_lines(text: str, notes: list[tuple[int | None, str]]) -> _Decoded:
    if "\x00" not in text and _MOJIBAKE_RE.search(text) is None:
        return _Decoded(text, notes)
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if "\x00" in line:
            line = line.replace("\x00", "")
            notes.append((index + 1, "NUL bytes removed"))
        repaired = _MOJIBAKE_RE.sub(_unmojibake, line)
        if repaired != line:
            notes.append((index + 1, "mojibake repaired (UTF-8 once read as cp1252)"))
        lines[index] = repaired
    return _Decoded("\n".join(lines), notes)


def _note_problems(origin: str, notes: list[tuple[int | None, str]]) -> Iterator[Problem]:
    """Repair notes as report lines: one per line, or one per file when a reason is frequent."""
    by_reason: dict[str, list[int | None]] = {}
    for line, reason in notes:
        by_reason.setdefault(reason, []).append(line)
    for reason, lines in by_reason.items():
        if lines == [None]:
            yield Problem(origin, reason, False)
        elif len(lines) <= MAX_LINE_NOTES:
            yield from (Problem(f"{origin}:{line}", reason, False) for line in lines)
        else:
            yield Problem(origin, f"{reason} on {len(lines):,} lines, from line {lines[0]}", False)


# --- every field, on the way in ----------------------------------------------------------------


def _is_unsafe_char(ch: str) -> bool:
    """Control, format, surrogate, private-use and non-characters: never valid in a field."""
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
        return True
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def clean_field(value: object) -> str | None:
    """A one-line metadata value: control characters out, whitespace collapsed, NFC; or None."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value)
    if not text.isascii() or not text.isprintable():
        text = "".join(" " if _is_unsafe_char(ch) else ch for ch in text)
        text = unicodedata.normalize("NFC", text)
    text = " ".join(text.split())
    return text or None


def drop_noncharacters(text: str) -> str:
    """``text`` with non-characters, surrogates and C0 controls but tab/newline/CR as spaces."""
    # All of them are unprintable: a text without one is returned as it is, without a regex pass.
    if text.replace("\n", " ").replace("\t", " ").replace("\r", " ").isprintable():
        return text
    return _NONCHARACTER_RE.sub(" ", text)


# Non-characters are not Unicode category C and the body cleaning keeps them; XML refuses them.
_NONCHARACTER_RE = re.compile(
    "[\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(1, 17))
    + "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]"
)
LINK_SCHEMES = ("http", "https")


def safe_url(value: object) -> tuple[str | None, str | None]:
    """An http(s) URL, or None and the reason it was dropped (`javascript:`, `data:`, no host)."""
    url = clean_field(value)
    if url is None:
        return None, None
    url = url.replace(" ", "%20")
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() in LINK_SCHEMES and bool(parts.hostname)
    except ValueError:
        valid = False
    if valid:
        return url, None
    shown = url if len(url) <= 60 else url[:57] + "..."
    return None, f"url {shown!r} is not an http(s) link; dropped (the article is kept)"


def _sanitize(article: Article) -> Iterator[Problem]:
    """Clean every text field of an article in place; report a URL that cannot be a link."""
    article.id = clean_field(article.id) or article.id
    article.title = clean_field(article.title) or ""
    article.author = clean_field(article.author)
    article.source = clean_field(article.source)
    article.body = drop_noncharacters(article.body)
    article.url, problem = safe_url(article.url)
    if problem:
        yield Problem(article.origin, problem, False)


def _truncate(article: Article, max_body_chars: int) -> Iterator[Article | Problem]:
    length = max(len(article.body), article.raw_length)
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
    return clean_field(record.get(name))


def _article_from_record(
    record: dict[str, object], path: Path, line: int
) -> Iterator[Article | Problem]:
    """One article from a JSONL object or CSV row, or the Problem that stops it.

    A record without an id is still indexed under the id `<file stem>:<line>` and reported as
    repaired: losing the article would be worse than an id that changes if the file is edited.
    """
    origin = f"{display_path(path)}:{line}"
    raw_body = record.get("body") or record.get("text")
    if raw_body is not None and not isinstance(raw_body, str):
        yield Problem(origin, f"body is not text: got {type(raw_body).__name__}", True)
        return
    raw_length = len(raw_body or "")
    paragraphs = normalize_paragraphs(drop_noncharacters((raw_body or "")[:RAW_TEXT_CAP]))
    title = _text_field(record, "title")
    if not paragraphs and title is None:
        # A headline-only item (a brief, an RSS item) is indexed; nothing at all is skipped.
        yield Problem(origin, "missing body and title", True)
        return
    body = "\n\n".join(paragraphs)

    problems: list[Problem] = []
    article_id = _text_field(record, "id")
    if article_id is None:
        article_id = f"{clean_field(_file_stem(path))}:{line}"
        problems.append(Problem(origin, f"missing id; using {article_id!r}", False))

    article = Article(
        id=article_id,
        title=title or derive_title(body),
        title_derived=title is None,
        body=body,
        author=_text_field(record, "author"),
        source=_text_field(record, "source"),
        date=None,
        url=clean_field(record.get("url")),
        origin=origin,
        raw_length=raw_length if raw_length > RAW_TEXT_CAP else 0,
    )
    problems.extend(_normalise_metadata(article, record.get("date")))
    yield from problems
    yield article


def _read_jsonl(lines: Iterable[str], path: Path) -> Iterator[Article | Problem]:
    # Lines split at "\n" only, not splitlines(): JSON strings may hold U+2028 and friends.
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            # strict=False: raw control characters inside strings are cleaned later, not fatal.
            record = json.loads(line, strict=False)
        except json.JSONDecodeError as error:
            yield Problem(f"{display_path(path)}:{number}", f"malformed JSON: {error.msg}", True)
            continue
        if not isinstance(record, dict):
            kind = type(record).__name__
            yield Problem(f"{display_path(path)}:{number}", f"not a JSON object: got {kind}", True)
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
                yield Problem(
                    f"{display_path(path)}:{line}",
                    "CSV header has no 'body' or 'text' column",
                    True,
                    whole_file=True,
                )
                return
            continue
        if len(row) != len(header):
            yield Problem(
                f"{display_path(path)}:{line}",
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
                problem = Problem(f"{display_path(path)}:{start}", f"malformed CSV: {error}", True)
                rows.append((start, problem))
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


def _split_front_matter(text: str) -> tuple[dict[str, str], list[int], str, bool]:
    """Front matter fields, the numbers of lines that could not be read, the rest, and whether
    the block was left unclosed.

    Front matter is a `---` line, simple `key: value` lines (values may be quoted) and a
    closing `---` line. Without the closing line, the `key: value` lines right after the
    opening one are still taken as front matter (they must not become the title) and the text
    starts at the first other line.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, [], text, False
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        end = 1
        while end < len(lines) and _FRONT_MATTER_LINE_RE.match(lines[end].strip()):
            end += 1
        if end == 1:
            return {}, [], text, False
        fields, _ = _front_matter_fields(lines[1:end])
        return fields, [], "\n".join(lines[end:]), True
    fields, unreadable = _front_matter_fields(lines[1:end])
    return fields, unreadable, "\n".join(lines[end + 1 :]), False


def _front_matter_fields(lines: list[str]) -> tuple[dict[str, str], list[int]]:
    fields: dict[str, str] = {}
    unreadable: list[int] = []
    for number, line in enumerate(lines, start=2):
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
    return fields, unreadable


def _read_text(text: str, path: Path) -> Iterator[Article | Problem]:
    origin = display_path(path)
    fields, unreadable, content, unclosed = _split_front_matter(text)
    if unclosed:
        yield Problem(
            origin,
            f"front matter not closed (no second '---' line); read {len(fields)} field(s), "
            "the rest as text",
            False,
        )
    for number in unreadable:
        yield Problem(f"{origin}:{number}", "unreadable front matter line; ignored", False)
    cleaned = clean_scraped_text(drop_noncharacters(content[:RAW_TEXT_CAP]))
    if not cleaned.paragraphs:
        yield Problem(origin, "missing body", True)
        return

    title = fields.get("title") or cleaned.title
    article = Article(
        id=clean_field(fields.get("id")) or clean_field(_file_stem(path)) or "_",
        title=title,
        title_derived=False if fields.get("title") else cleaned.title_derived,
        body=cleaned.body,
        author=fields.get("author"),
        source=fields.get("source"),
        date=None,
        url=fields.get("url") or None,
        origin=origin,
        raw_length=len(content) if len(content) > RAW_TEXT_CAP else 0,
        headings=tuple(cleaned.headings),
    )
    yield from _normalise_metadata(
        article,
        fields.get("date"),
        date_lines=cleaned.date_lines,
        found_author=cleaned.author,
        found_source=cleaned.source,
    )
    yield article


# --- metadata ----------------------------------------------------------------------------------


def _normalise_metadata(
    article: Article,
    given_date: object,
    *,
    date_lines: list[str] | None = None,
    found_author: str | None = None,
    found_source: str | None = None,
) -> list[Problem]:
    """Give `article` its date and the canonical spelling of its source and author: the one
    place every reader's metadata goes through, so facets and filters see one form per name.

    What the record or front matter says comes first; then what the page says about itself
    (publication line, dateline, url, byline, bio), never a date the text merely mentions.
    """
    problems = []
    invalid = False
    try:
        article.date = parse_date(given_date)
    except ValueError:
        article.date, invalid = None, True
    if article.date is None:
        article.date = article_date(date_lines=date_lines or [], body=article.body, url=article.url)
    if invalid:
        kept = "kept without date"
        if article.date:
            kept = f"kept with date {article.date} from the text"
        shown = clean_field(str(given_date)) or ""  # one printable report line
        problems.append(Problem(article.origin, f"invalid date '{shown}'; {kept}", False))

    source = canonical_source(article.source) or source_from_url(article.url)
    if not article.title_derived:
        # "Titolo - Il Post": the feed's outlet suffix is not part of the headline.
        article.title, source = strip_outlet_suffix(article.title, source)
    article.source = source or canonical_source(found_source)
    article.author = (
        canonical_author(article.author)
        or canonical_author(found_author)
        or author_from_signature(article.body)
    )
    return problems
