"""Where builds live on disk, their manifests, and opening the live one.

Layout of an index directory::

    index/
      current  -> builds/<build id>     (the live build; swapped atomically)
      previous -> builds/<build id>     (kept for rollback)
      builds/<build id>/                (Whoosh files + manifest.json)
      .lock                             (held by the one running indexer)

Readers resolve ``current`` on every use and reopen when its target changed: a rebuild or an
update shows up without a restart, and nobody ever calls ``Searcher.refresh()`` (the Whoosh
forks break it and it would mix old and new segments).
"""

from __future__ import annotations

import json
import os
import stat
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import whoosh.index
from whoosh.searching import Searcher

from search.analysis import ANALYZER_VERSION
from search.errors import IndexNotFoundError, IndexVersionError, UnsafeIndexError
from search.schema import SCHEMA_VERSION

MANIFEST = "manifest.json"
CURRENT = "current"
PREVIOUS = "previous"
BUILDS = "builds"


def live_target(index_dir: Path) -> Path | None:
    """The build directory ``current`` points to, or None when there is no live build."""
    link = Path(index_dir) / CURRENT
    if not link.exists():
        return None
    return Path(os.path.realpath(link))


def read_manifest(build_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((Path(build_dir) / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexVersionError(
            f"The index in {build_dir} has no readable {MANIFEST} ({exc}); "
            "rebuild it with `rassegna index`."
        ) from exc


def write_manifest(build_dir: Path, manifest: dict[str, Any]) -> None:
    tmp = Path(build_dir) / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    os.replace(tmp, Path(build_dir) / MANIFEST)


def check_versions(manifest: dict[str, Any], where: Path) -> None:
    found = (manifest.get("schema_version"), manifest.get("analyzer_version"))
    wanted = (SCHEMA_VERSION, ANALYZER_VERSION)
    if found != wanted:
        raise IndexVersionError(
            f"The index in {where} was built with schema {found[0]} / analyzer {found[1]}, "
            f"this Rassegna needs schema {wanted[0]} / analyzer {wanted[1]}: "
            "rebuild it with `rassegna index`."
        )


@dataclass
class OpenIndex:
    """A live build opened for reading."""

    target: Path
    ix: whoosh.index.Index
    manifest: dict[str, Any]
    cache: dict[str, Any] = field(default_factory=dict)  # per-build values (stats), dropped on swap


def _writable_by_others(path: Path) -> bool:
    return bool(os.stat(path).st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def check_trusted(build_dir: Path, index_dir: Path | None = None) -> None:
    """Refuse a build that users other than its owner could have written.

    Whoosh reads its table of contents with pickle: whoever can write a file of the build (or
    the directories that lead to it, or replace the ``current`` link) can make this process run
    code. So the index directory, ``builds/``, the build and every file in it must not be
    writable by group or others.
    """
    build_dir = Path(build_dir)
    try:
        checked = [build_dir, *sorted(build_dir.iterdir())]
    except FileNotFoundError:  # pruned meanwhile: opening it reports that
        checked = []
    if index_dir is not None:
        checked[:0] = [Path(index_dir), Path(index_dir) / BUILDS]
    for path in checked:
        try:
            unsafe = _writable_by_others(path)
        except FileNotFoundError:
            continue  # a temporary file gone meanwhile
        if unsafe:
            top = index_dir or build_dir
            mode = stat.filemode(os.stat(path).st_mode)
            raise UnsafeIndexError(
                f"Refusing to open the index: {path} is writable by other users ({mode}), and "
                "index files are loaded with pickle, so anyone who can write them can run code "
                f"here. Fix it with `chmod -R go-w {top}` (and check who owns it), then retry."
            )


def open_build(build_dir: Path, index_dir: Path | None = None) -> OpenIndex:
    """Open one build directory after checking that it is trusted and this code can read it."""
    check_trusted(build_dir, index_dir)
    manifest = read_manifest(build_dir)
    check_versions(manifest, build_dir)
    try:
        ix = whoosh.index.open_dir(str(build_dir))
    except Exception as exc:  # unpickling analyzers of another version, damaged files
        raise IndexVersionError(
            f"The index in {build_dir} cannot be opened ({exc}); rebuild it with `rassegna index`."
        ) from exc
    return OpenIndex(Path(build_dir), ix, manifest)


def no_index_message(index_dir: Path) -> str:
    return (
        f"No index in {index_dir}; run `rassegna index` first "
        "(or point --index / RASSEGNA_INDEX at an existing one)."
    )


class IndexHandle:
    """The live index of a directory, reopened when a build or update swaps ``current``.

    One handle per process; each thread gets its own searcher, kept open between uses and replaced
    when the live build changes. Nothing is opened until first use.
    """

    def __init__(self, index_dir: str | os.PathLike[str]):
        self.index_dir = Path(index_dir).resolve()
        self._lock = threading.Lock()
        self._open: OpenIndex | None = None
        self._local = threading.local()
        # Every searcher handed out, so close() (or dropping the handle) closes them all: with
        # separate segment files each holds open files of its own.
        self._searchers: list[Searcher] = []

    def current(self) -> OpenIndex:
        """The live build, reopened if ``current`` now points elsewhere."""
        target = live_target(self.index_dir)
        if target is None:
            raise IndexNotFoundError(no_index_message(self.index_dir))
        with self._lock:
            if self._open is None or self._open.target != target:
                self._open = open_build(target, self.index_dir)
            return self._open

    @property
    def manifest(self) -> dict[str, Any]:
        return self.current().manifest

    @contextmanager
    def searcher(self):
        """A searcher over the live build (reused per thread while the build stays live)."""
        with self.reading() as (_, searcher):
            yield searcher

    @contextmanager
    def reading(self):
        """The live build and a searcher over that same build, as a pair: per-build caches
        (results, columns, posting lists) are only ever used with their own build's searcher."""
        opened = self.current()
        cached: tuple[Path, Searcher] | None = getattr(self._local, "searcher", None)
        if cached is None or cached[0] != opened.target:
            if cached is not None:
                cached[1].close()
                with self._lock:
                    self._searchers = [s for s in self._searchers if s is not cached[1]]
            cached = (opened.target, opened.ix.searcher())
            self._local.searcher = cached
            with self._lock:
                self._searchers.append(cached[1])
        yield opened, cached[1]

    def close(self) -> None:
        """Close every searcher this handle opened and the index (call once no search runs)."""
        self._local.searcher = None
        with self._lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers = []
            if self._open is not None:
                self._open.ix.close()
                self._open = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to release
            pass
