"""Building and updating the index: into a new directory, validated, then swapped in atomically.

The live build is never written to. ``build_index`` creates a fresh build; ``update_index`` copies
the live build with hard links (Whoosh never rewrites a file in place: commits add new segment and
TOC files), applies the changes there, validates, and swaps. Readers keep the build they have open
until they notice that ``current`` moved.
"""

from __future__ import annotations

import datetime
import fcntl
import itertools
import multiprocessing
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import whoosh.index
from whoosh.query import And, Every, Term

from search import store
from search.analysis import ANALYZER_VERSION, tokens, weighted_text
from search.articles import Article, Problem, read_sources
from search.duplicates import signature
from search.errors import BuildError, IndexLockedError, IndexNotFoundError
from search.ranking import FIELD_WEIGHTS, TEXT_FIELD, FieldWeights
from search.schema import LEAD_CHARS, SCHEMA_VERSION, build_schema, pack_signature
from search.wording import counted
from search.writer import FastSegmentWriter

Progress = Callable[[int], None]

# Whoosh writer settings: a larger RAM buffer means fewer, larger segments to merge.
WRITER_LIMIT_MB = 48
APPROX_ARTICLE_BYTES = 4000  # to guess an article count from a file's size
# Segments as separate files, not one compound file: a searcher maps them instead of holding a
# compound file's pieces (measured 8x less memory per worker at 20k). Safe because no file of a
# live build is ever rewritten: builds and updates write into a new directory and swap it in.
WRITER_COMPOUND = False


# Builds of at least this many articles (estimated) use two processes when two cores are there.
MIN_PARALLEL_ARTICLES = 4000
# The first process's share of the articles: the second one also reads the whole input.
FIRST_SHARE = 0.53


def writer_procs(procs: int | None = None, articles: int = 0) -> int:
    """Processes for a build of about ``articles`` (``procs`` when given): two when there are
    two cores and enough articles, else one. More than two are not used."""
    if procs is not None:
        return max(1, min(2, procs))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 if (cores or 1) >= 2 and articles >= MIN_PARALLEL_ARTICLES else 1


def _writer(ix, limitmb: int = WRITER_LIMIT_MB, compound: bool = WRITER_COMPOUND):
    """The build's writer (search/writer.py: the same index as Whoosh's writer, faster)."""
    return FastSegmentWriter(ix, limitmb=limitmb, compound=compound)


@dataclass
class BuildReport:
    """What a build or update did, for the CLI summary and ``--json``."""

    kind: str  # "build" or "update"
    build_id: str = ""
    doc_count: int = 0  # documents in the index after the run
    indexed: int = 0  # documents written by this run (added + replaced)
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    deleted: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.skipped)

    def skipped_by_reason(self) -> dict[str, int]:
        return dict(Counter(problem_kind(p) for p in self.problems if p.skipped))

    def summary(self) -> str:
        """One line, e.g. ``Indexed 10,372 articles in 76 s; skipped 3 (2 malformed JSON)``."""
        secs = f"{self.seconds:.1f} s" if self.seconds < 10 else f"{self.seconds:,.0f} s"
        if self.kind == "build":
            line = f"Indexed {counted(self.indexed, 'article')} in {secs}"
        else:
            line = (
                f"Updated the index in {secs}: {self.added:,} added, {self.replaced:,} replaced, "
                f"{self.unchanged:,} unchanged, {self.deleted:,} deleted; {self.doc_count:,} in all"
            )
        if self.skipped:
            reasons = ", ".join(f"{n} {k}" for k, n in sorted(self.skipped_by_reason().items()))
            line += f"; skipped {self.skipped:,} ({reasons})"
        else:
            line += "; skipped 0"
        repaired = len(self.problems) - self.skipped
        if repaired:
            line += f"; repaired {repaired:,}"
        return line

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "build_id": self.build_id,
            "doc_count": self.doc_count,
            "indexed": self.indexed,
            "added": self.added,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "skipped": self.skipped,
            "skipped_by_reason": self.skipped_by_reason(),
            "seconds": round(self.seconds, 3),
            "problems": [
                {"origin": p.origin, "reason": p.reason, "skipped": p.skipped}
                for p in self.problems
            ],
        }


def problem_kind(problem: Problem) -> str:
    """A short category for the summary: the reason up to its first colon or semicolon."""
    reason = problem.reason
    for sep in (":", ";", " ("):
        reason = reason.split(sep, 1)[0]
    return reason.strip()


@contextmanager
def index_lock(index_dir: Path):
    """Hold the directory's indexer lock: one ``index``/``update`` at a time."""
    # Never writable by others, whatever the umask (store.check_trusted refuses that).
    index_dir.mkdir(parents=True, exist_ok=True, mode=0o755)
    path = index_dir / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # The holder writes its pid just after taking the lock: it may not be there yet.
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise IndexLockedError(
                f"Another indexer is already working on {index_dir}{who}; "
                "wait for it to finish, then run the command again."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def collect_articles(
    sources: Iterable[Path], report: BuildReport, max_body_chars: int | None = None
) -> dict[str, Article]:
    """Read every source; duplicates by id keep the last one read, and the report says so."""
    articles: dict[str, Article] = {}
    kwargs = {} if max_body_chars is None else {"max_body_chars": max_body_chars}
    for item in read_sources(list(sources), **kwargs):
        if isinstance(item, Problem):
            report.problems.append(item)
            continue
        previous = articles.pop(item.id, None)
        if previous is not None:
            report.problems.append(
                Problem(
                    previous.origin,
                    f"duplicate id {item.id!r}: kept the later one at {item.origin}",
                    skipped=True,
                )
            )
        articles[item.id] = item
    return articles


def lead_of(body: str) -> str:
    """The first paragraph, cut to about ``LEAD_CHARS`` characters at a word boundary."""
    first = body.split("\n\n", 1)[0]
    if len(first) <= LEAD_CHARS:
        return first
    return first[:LEAD_CHARS].rsplit(" ", 1)[0]


def ranked_text(article: Article, title: str, weights: FieldWeights = FIELD_WEIGHTS) -> str:
    """The ``text`` field's value: a real title, the lead, the rest of the body, the byline.

    A derived title is left out: it is the body's first sentence, already counted once.
    """
    headline = "" if article.title_derived else title
    body = article.body
    lead = lead_of(body) if weights.lead != 1.0 else ""
    byline = " ".join(part for part in (article.author, article.source) if part)
    return weighted_text(
        [
            (headline, weights.title),
            (lead, weights.lead),
            (body[len(lead) :], 1.0),
            (byline, weights.byline),
        ]
    )


def document_fields(
    article: Article, *, include_title: bool = True, weights: FieldWeights = FIELD_WEIGHTS
) -> dict:
    """The Whoosh document for an article."""
    title = article.title if include_title else ""
    headline = "" if article.title_derived else title
    doc = {
        "id": article.id,
        "title": title,
        "text": ranked_text(article, title, weights),
        "body": article.body,
        "exact": f"{headline}\n\n{article.body}" if headline else article.body,
        "word_count": article.word_count,
        "title_derived": article.title_derived,
        "content_hash": article.content_hash,
        "origin": article.origin,
        "dup_sig": pack_signature(signature(article.body)),
    }
    if article.url:
        doc["url"] = article.url
    if article.headings:
        doc["headings"] = list(article.headings)
    if article.author:
        doc["author"] = article.author
        doc["author_facet"] = article.author
    if article.source:
        doc["source"] = article.source
        doc["source_facet"] = article.source
    if article.date:
        doc["date"] = datetime.datetime.combine(article.date, datetime.time())
        doc["year"] = str(article.date.year)
    return doc


def _new_build_dir(index_dir: Path) -> tuple[str, Path]:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S")
    build_id = f"{stamp}-{uuid.uuid4().hex[:6]}"
    (index_dir / store.BUILDS).mkdir(exist_ok=True, mode=0o755)
    path = index_dir / store.BUILDS / build_id
    path.mkdir(mode=0o755)
    return build_id, path


def remove_stale_builds(index_dir: Path) -> list[str]:
    """Remove builds left by crashed runs (all but ``current`` and ``previous``); call under
    the lock. Returns the names removed."""
    builds = index_dir / store.BUILDS
    for leftover in index_dir.glob(f".{store.CURRENT}.*.tmp"):
        leftover.unlink(missing_ok=True)
    for leftover in index_dir.glob(f".{store.PREVIOUS}.*.tmp"):
        leftover.unlink(missing_ok=True)
    if not builds.is_dir():
        return []
    keep = {
        Path(os.path.realpath(index_dir / name))
        for name in (store.CURRENT, store.PREVIOUS)
        if (index_dir / name).is_symlink()
    }
    removed = []
    for path in sorted(builds.iterdir()):
        if path.resolve() not in keep:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def _seal(build_dir: Path) -> None:
    """No write permission for group or others on the new build (see ``store.check_trusted``)."""
    for path in [build_dir, *build_dir.iterdir()]:
        mode = path.stat().st_mode
        if mode & 0o022:
            path.chmod(mode & ~0o022)


def _validate(build_dir: Path, expected_count: int, probe: Article | None) -> None:
    """Open the new build as a reader would and check its count and a probe query."""
    ix = whoosh.index.open_dir(str(build_dir))
    try:
        with ix.searcher() as searcher:
            count = searcher.doc_count()
            if count != expected_count:
                raise BuildError(
                    f"Validation failed: the new index holds {count} documents, "
                    f"expected {expected_count}; the live index was left as it was."
                )
            if probe is not None:
                # A body word (titles may be left out), or a headline-only item's title word;
                # searched together with the probe's id, so the check costs the same at any size.
                words = tokens(probe.body[:500] or probe.title[:500])
                query = Term("id", probe.id)
                if words:
                    query = And([Term(TEXT_FIELD, words[0]), query])
                hits = {hit["id"] for hit in searcher.search(query, limit=1)}
                if probe.id not in hits:
                    raise BuildError(
                        f"Validation failed: a probe search for {probe.id!r} did not find it; "
                        "the live index was left as it was."
                    )
            elif count and not searcher.search(Every(), limit=1):
                raise BuildError("Validation failed: the new index returns nothing.")
    finally:
        ix.close()


def _swap_in(index_dir: Path, build_dir: Path, keep: int = 2) -> None:
    """Point ``current`` at the new build atomically; the old one becomes ``previous``."""
    old = store.live_target(index_dir)
    _replace_link(index_dir / store.CURRENT, build_dir)
    if old is not None and old != build_dir:
        _replace_link(index_dir / store.PREVIOUS, old)
    _prune_builds(index_dir, keep={build_dir, old} if keep >= 2 else {build_dir})


def _replace_link(link: Path, target: Path) -> None:
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(target, link.parent), tmp)
    os.replace(tmp, link)


def _prune_builds(index_dir: Path, keep: set[Path | None]) -> None:
    builds = index_dir / store.BUILDS
    for path in builds.iterdir():
        if path.resolve() not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _write(
    writer,
    articles: Iterable[Article],
    include_titles: bool,
    progress: Progress | None,
    update: bool = False,
    weights: FieldWeights = FIELD_WEIGHTS,
) -> int:
    n = 0
    for article in articles:
        doc = document_fields(article, include_title=include_titles, weights=weights)
        if update:
            writer.update_document(**doc)
        else:
            writer.add_document(**doc)
        n += 1
        if progress:
            progress(1)
    return n


def _manifest(
    report: BuildReport,
    sources: Sequence[Path],
    parent: str | None,
    include_titles: bool,
    weights: FieldWeights,
) -> dict:
    return {
        "format": "rassegna-index",
        "schema_version": SCHEMA_VERSION,
        "analyzer_version": ANALYZER_VERSION,
        "build_id": report.build_id,
        "kind": report.kind,
        "parent": parent,
        "built_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(report.seconds, 3),
        "doc_count": report.doc_count,
        "sources": [str(s) for s in sources],
        "include_titles": include_titles,
        "field_weights": asdict(weights),
    }


@contextmanager
def _new_build(index_dir: Path):
    """A fresh build directory, removed again if anything fails before it is swapped in."""
    build_id, build_dir = _new_build_dir(index_dir)
    try:
        yield build_id, build_dir
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise


def _commit(writer, ix, write: Callable[[object], None]) -> None:
    """Run ``write(writer)`` and commit; cancel the writer if it fails."""
    try:
        write(writer)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()


def _publish(
    index_dir: Path,
    build_dir: Path,
    report: BuildReport,
    probe: Article | None,
    started: float,
    manifest: Callable[[], dict],
) -> None:
    """Validate the new build, record its manifest, and swap it in as ``current``."""
    _validate(build_dir, report.doc_count, probe)
    report.seconds = time.perf_counter() - started
    store.write_manifest(build_dir, manifest())
    _seal(build_dir)
    _swap_in(index_dir, build_dir)


def build_index(
    sources: Sequence[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    on_total: Callable[[int | None], None] | None = None,
    include_titles: bool = True,
    procs: int | None = None,
    max_body_chars: int | None = None,
    field_weights: FieldWeights = FIELD_WEIGHTS,
) -> BuildReport:
    """Rebuild the index from scratch into a new build, validate it, and swap it in.

    ``procs``: 1 or 2 writer processes (default: see ``writer_procs``); two give the same
    index as one. ``field_weights`` are recorded in the manifest; updates keep using them.
    """
    index_dir = Path(index_dir).resolve()
    sources = [Path(s) for s in sources]
    report = BuildReport(kind="build")
    started = time.perf_counter()
    with index_lock(index_dir):
        remove_stale_builds(index_dir)
        if on_total:
            on_total(None)  # articles are streamed: the count is known at the end
        with _new_build(index_dir) as (build_id, build_dir):
            ix = whoosh.index.create_in(str(build_dir), build_schema())
            stream = ArticleStream(sources, report, max_body_chars)
            expected = _articles_in(sources) if procs != 1 else 0
            procs = writer_procs(procs, expected)
            first = None
            if procs > 1:
                # The first part of the articles goes into a segment of its own, written by a
                # second process (forked before this one opens its writer); the segments are
                # listed in input order, so documents keep the numbers a single writer gives.
                first = FirstSegment(
                    build_dir, sources, max_body_chars, include_titles, field_weights
                )
                first.start(int(expected * FIRST_SHARE))
            limitmb = WRITER_LIMIT_MB // procs

            def write(writer) -> None:
                articles = iter(stream)
                if first is not None:
                    for _ in itertools.islice(articles, first.count):
                        pass  # read here too: the report, duplicates and probe see every one
                report.indexed = _write(
                    writer, articles, include_titles, progress, weights=field_weights
                )
                if first is not None:
                    # This process's segment is written while the other one may still be
                    # working: neither waits for the other before writing its postings.
                    writer.write_segment()
                    done, segment = first.result()
                    report.indexed += done
                    if progress and done:
                        progress(done)
                    if segment is not None:
                        writer.before.append(segment)
                if not report.indexed:
                    raise BuildError(
                        f"Nothing could be indexed from {', '.join(map(str, sources))} "
                        f"({report.skipped} items skipped); the live index was left as it was."
                    )

            try:
                _commit(_writer(ix, limitmb=limitmb), ix, write)
            finally:
                if first is not None:
                    first.stop()
            if stream.later_copies:
                # Duplicate ids: the later record wins (update_document replaces the first).
                ix = whoosh.index.open_dir(str(build_dir))
                _commit(
                    _writer(ix),
                    ix,
                    lambda writer: _write(
                        writer,
                        stream.later_copies.values(),
                        include_titles,
                        None,
                        update=True,
                        weights=field_weights,
                    ),
                )
            report.doc_count = report.indexed
            report.added = report.indexed
            report.build_id = build_id
            _publish(
                index_dir,
                build_dir,
                report,
                stream.probe(),
                started,
                lambda: _manifest(report, sources, None, include_titles, field_weights),
            )
    return report


class ArticleStream:
    """The articles of ``sources`` read one at a time (a build never holds the whole corpus).

    An id seen before is not yielded again: its latest record is kept in ``later_copies`` (few)
    and replaces the first after the main pass, and the report names each superseded record,
    as when the corpus was read whole.
    """

    def __init__(self, sources: Sequence[Path], report: BuildReport, max_body_chars: int | None):
        self.sources = sources
        self.report = report
        self.max_body_chars = max_body_chars
        self.later_copies: dict[str, Article] = {}
        self._first: Article | None = None

    def __iter__(self):
        kwargs = {} if self.max_body_chars is None else {"max_body_chars": self.max_body_chars}
        origins: dict[str, str] = {}  # id -> origin of its latest record
        for item in read_sources(list(self.sources), **kwargs):
            if isinstance(item, Problem):
                self.report.problems.append(item)
                continue
            previous = origins.get(item.id)
            origins[item.id] = item.origin
            if previous is not None:
                self.report.problems.append(
                    Problem(
                        previous,
                        f"duplicate id {item.id!r}: kept the later one at {item.origin}",
                        skipped=True,
                    )
                )
                self.later_copies[item.id] = item
                continue
            if self._first is None:
                self._first = item
            yield item

    def probe(self) -> Article | None:
        """An article the new build must find (its final version)."""
        if self._first is None:
            return None
        return self.later_copies.get(self._first.id, self._first)


def _articles_in(sources: Sequence[Path]) -> int:
    """About how many articles ``sources`` hold: lines of JSON-lines files, else by size."""
    total = 0
    for source in sources:
        try:
            files = [p for p in source.rglob("*") if p.is_file()] if source.is_dir() else [source]
            for path in files:
                if path.suffix.lower() in (".jsonl", ".ndjson"):
                    with path.open("rb") as f:
                        total += sum(
                            chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")
                        )
                else:
                    total += path.stat().st_size // APPROX_ARTICLE_BYTES
        except OSError:
            continue
    return total


class FirstSegment:
    """The first ``count`` articles of a build, indexed by a forked process into a segment of
    their own (its documents come first in the index, as a single writer would number them).

    The process reads the sources itself (reading is cheap next to indexing) and sends back the
    number of articles it indexed and its Whoosh segment; an error comes back as its message.
    """

    def __init__(self, build_dir, sources, max_body_chars, include_titles, weights):
        self.args = (str(build_dir), list(sources), max_body_chars, include_titles, weights)
        self.count = 0
        self.process = None
        self.conn = None

    def start(self, count: int) -> None:
        self.count = count
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_index_first, args=(*self.args, count, child), daemon=True
        )
        self.process.start()
        child.close()

    def result(self):
        """``(articles indexed, segment or None)``; raises BuildError when the process failed."""
        try:
            status, payload = self.conn.recv()
        except EOFError:
            raise BuildError(
                "The second indexing process died; the live index was left as it was. "
                "Run the command again, or with --procs 1."
            ) from None
        self.process.join()
        if status != "ok":
            raise BuildError(
                f"The second indexing process failed ({payload}); the live index was left "
                "as it was. Run the command again, or with --procs 1."
            )
        return payload

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()
        if self.conn is not None:
            self.conn.close()


def _index_first(build_dir, sources, max_body_chars, include_titles, weights, count, conn):
    try:
        ix = whoosh.index.open_dir(build_dir)
        writer = FastSegmentWriter(
            ix, _lk=False, limitmb=WRITER_LIMIT_MB // 2, compound=WRITER_COMPOUND
        )
        stream = ArticleStream(sources, BuildReport(kind="build"), max_body_chars)
        done = _write(
            writer, itertools.islice(stream, count), include_titles, None, weights=weights
        )
        if done:
            segment = writer._finalize_segment()  # noqa: SLF001
        else:
            writer.cancel()
            segment = None
        conn.send(("ok", (done, segment)))
    except BaseException as exc:  # reported to the parent, which raises BuildError
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _stored_hashes(searcher, articles: dict[str, Article]) -> dict[str, str | None]:
    """The content hash stored for each of ``articles``' ids that the index holds."""
    out = {}
    for article_id in articles:
        docnum = searcher.document_number(id=article_id)
        if docnum is not None:
            out[article_id] = searcher.stored_fields(docnum).get("content_hash")
    return out


def _refuse_partial_sources(
    sources: Sequence[Path], articles: dict[str, Article], report: BuildReport
) -> None:
    """``--delete-missing`` trusts SOURCES to be complete: refuse when any of them was lost."""
    lost = [p for p in report.problems if p.whole_file]
    if not lost and articles:
        return
    if lost:
        shown = "; ".join(str(p) for p in lost[:3]) + ("; …" if len(lost) > 3 else "")
        why = f"{len(lost)} source(s) could not be read ({shown})"
    else:
        why = f"no article could be read from {', '.join(map(str, sources))}"
    raise BuildError(
        f"Refusing --delete-missing: {why}, so every article they hold would be deleted. "
        "Nothing was changed; fix or remove those sources, or run without --delete-missing."
    )


def update_index(
    sources: Sequence[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    *,
    delete_missing: bool = False,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
    max_body_chars: int | None = None,
) -> BuildReport:
    """Add new articles, replace changed ones (by id and content hash), keep the rest."""
    index_dir = Path(index_dir).resolve()
    sources = [Path(s) for s in sources]
    report = BuildReport(kind="update")
    started = time.perf_counter()
    with index_lock(index_dir):
        remove_stale_builds(index_dir)
        live = store.live_target(index_dir)
        if live is None:
            raise IndexNotFoundError(store.no_index_message(index_dir))
        opened = store.open_build(live, index_dir)
        include_titles = opened.manifest.get("include_titles", True)
        weights = FieldWeights(**opened.manifest.get("field_weights", {}))
        articles = collect_articles(sources, report, max_body_chars)
        if delete_missing:
            _refuse_partial_sources(sources, articles, report)
        with opened.ix.searcher() as searcher:
            live_count = searcher.doc_count()
            if delete_missing:  # every id is needed: read them all
                existing = {
                    fields["id"]: fields.get("content_hash")
                    for fields in searcher.all_stored_fields()
                }
            else:  # only the ids being updated: the cost follows the update, not the index
                existing = _stored_hashes(searcher, articles)
        opened.ix.close()
        changed = [a for a in articles.values() if existing.get(a.id) != a.content_hash]
        report.added = sum(1 for a in changed if a.id not in existing)
        report.replaced = len(changed) - report.added
        report.unchanged = len(articles) - len(changed)
        missing = [i for i in existing if i not in articles] if delete_missing else []
        if on_total:
            on_total(len(changed))
        if not changed and not missing:
            report.doc_count = live_count
            report.build_id = opened.manifest["build_id"]
            report.seconds = time.perf_counter() - started
            return report
        with _new_build(index_dir) as (build_id, build_dir):
            for entry in os.scandir(live):
                if (
                    entry.is_file()
                    and not entry.name.endswith((".tmp", "LOCK"))
                    and entry.name != store.MANIFEST
                ):
                    os.link(entry.path, build_dir / entry.name)
            ix = whoosh.index.open_dir(str(build_dir))

            def write(writer) -> None:
                # Deletions first, through one searcher, then plain adds: update_document would
                # open a reader over every segment for each article (Whoosh's advice for batches).
                replaced = [a.id for a in changed if a.id in existing]
                with writer.searcher() as searcher:
                    for doc_id in [*missing, *replaced]:
                        writer.delete_by_term("id", doc_id, searcher=searcher)
                report.deleted = len(missing)
                report.indexed = _write(writer, changed, include_titles, progress, weights=weights)

            # The update's own segment is small: one compound file keeps a worker's open files
            # the same after an update as after a rebuild (the big segments stay separate files).
            _commit(_writer(ix, compound=True), ix, write)
            report.doc_count = live_count + report.added - report.deleted
            report.build_id = build_id
            parent = opened.manifest["build_id"]
            _publish(
                index_dir,
                build_dir,
                report,
                changed[0] if changed else None,
                started,
                lambda: _manifest(report, sources, parent, include_titles, weights),
            )
    return report
