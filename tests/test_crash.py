"""kill -9 of `rassegna index` and `rassegna update`, at chosen points and at random moments.

After every kill the live index opens, holds the previous or the new document count and matches
its manifest, and the next run succeeds with no manual step (and removes the debris).
The chosen points are reached by a driver that wraps the indexer's steps and sends itself
SIGKILL there: just before and after the commit, after the manifest, between the two symlink
replacements of the swap, after the swap, after pruning, and in the middle of writing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from search import store
from search.store import IndexHandle

pytestmark = pytest.mark.slow

RASSEGNA = Path(sys.executable).parent / "rassegna"
POINTS = [
    "write:mid",
    "commit:before",
    "commit:after",
    "manifest:after",
    "swap:mid",
    "swap:after",
    "prune:after",
]
RANDOM_TRIALS = 6

DRIVER = textwrap.dedent(
    """
    import os, signal, sys
    from search import cli, indexer

    point = sys.argv[1]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def before(name, n=1):
        original = getattr(indexer, name)
        calls = []
        def wrapped(*args, **kwargs):
            calls.append(1)
            if len(calls) == n:
                die()
            return original(*args, **kwargs)
        setattr(indexer, name, wrapped)

    def after(name):
        original = getattr(indexer, name)
        def wrapped(*args, **kwargs):
            result = original(*args, **kwargs)
            die()
            return result
        setattr(indexer, name, wrapped)

    if point == "write:mid":
        before("document_fields", n=2)
    elif point == "commit:before":
        original_commit = indexer._commit
        def _commit(writer, ix, write):
            def write_then_die(w):
                write(w)
                die()
            return original_commit(writer, ix, write_then_die)
        indexer._commit = _commit
    elif point == "commit:after":
        before("_publish")
    elif point == "manifest:after":
        before("_swap_in")
    elif point == "swap:mid":
        before("_replace_link", n=2)
    elif point == "swap:after":
        before("_prune_builds")
    elif point == "prune:after":
        after("_swap_in")
    cli.main(sys.argv[2:])
    """
)


def corpus(path: Path, ids: list[str]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for n, article_id in enumerate(ids):
            words = " ".join(f"parola{(n * 7 + k) % 97}" for k in range(60))
            record = {"id": article_id, "title": f"Notizia {article_id}", "body": f"Testo {words}."}
            out.write(json.dumps(record) + "\n")
    return path


def live_state(index_dir: Path) -> tuple[int, dict]:
    """The live build's document count (read through a real searcher) and its manifest."""
    handle = IndexHandle(index_dir)
    try:
        opened = handle.current()
        with handle.searcher() as searcher:
            count = searcher.doc_count()
            assert searcher.search(__import__("whoosh.query").query.Every(), limit=1)
        return count, opened.manifest
    finally:
        handle.close()


def check_after_kill(index_dir: Path, allowed: set[int]) -> int:
    count, manifest = live_state(index_dir)
    assert count in allowed, (count, allowed)
    assert manifest["doc_count"] == count
    assert manifest["build_id"] == store.live_target(index_dir).name
    return count


def run(*args: str) -> None:
    result = subprocess.run(
        [str(RASSEGNA), *args, "--quiet"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


def check_recovered(index_dir: Path, expected: int) -> None:
    count, _ = live_state(index_dir)
    assert count == expected
    kept = {store.live_target(index_dir)}
    if (index_dir / store.PREVIOUS).exists():
        kept.add(Path(os.path.realpath(index_dir / store.PREVIOUS)))
    assert {p.resolve() for p in (index_dir / store.BUILDS).iterdir()} == kept


def test_kill_9_at_every_step_of_index_and_update(tmp_path):
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, "utf-8")
    index_dir = tmp_path / "ix"
    small = corpus(tmp_path / "small.jsonl", [f"s{n}" for n in range(40)])
    large = corpus(tmp_path / "large.jsonl", [f"s{n}" for n in range(50)])
    run("index", str(small), "--index", str(index_dir))
    sizes, indexed = {small: 40, large: 50}, small
    trials = 0
    for n, point in enumerate(POINTS):
        for command in ("index", "update"):
            before, _ = live_state(index_dir)
            if command == "index":
                source = indexed = large if indexed == small else small
                after = sizes[source]
            else:
                source = corpus(tmp_path / f"new{n}.jsonl", [f"u{n}a", f"u{n}b", f"u{n}c"])
                after = before + 3
            killed = subprocess.run(
                [sys.executable, str(driver), point, command, str(source), "--index",
                 str(index_dir), "--quiet"],
                capture_output=True, text=True, timeout=300, cwd=tmp_path,
            )  # fmt: skip
            assert killed.returncode == -signal.SIGKILL, (point, command, killed.stderr)
            check_after_kill(index_dir, {before, after})
            run(command, str(source), "--index", str(index_dir))
            check_recovered(index_dir, after)
            trials += 1
    assert trials == 2 * len(POINTS)
    print(f"\nkill -9 at chosen points: {trials} trials, {trials} survived")


def test_kill_9_at_random_moments(tmp_path):
    rng = random.Random(9)
    index_dir = tmp_path / "ix"
    small = corpus(tmp_path / "small.jsonl", [f"s{n}" for n in range(1000)])
    large = corpus(tmp_path / "large.jsonl", [f"s{n}" for n in range(1100)])
    started = time.monotonic()
    run("index", str(small), "--index", str(index_dir))
    duration = time.monotonic() - started
    sizes, indexed = {small: 1000, large: 1100}, small
    landed = 0
    for trial in range(RANDOM_TRIALS):
        before, _ = live_state(index_dir)
        if trial % 2 == 0:
            command, source = "index", (large if indexed == small else small)
            indexed, after = source, sizes[source]
        else:
            ids = [f"r{trial}-{k}" for k in range(200)]
            command, source = "update", corpus(tmp_path / f"r{trial}.jsonl", ids)
            after = before + 200
        process = subprocess.Popen(
            [str(RASSEGNA), command, str(source), "--index", str(index_dir), "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, duration))
        process.send_signal(signal.SIGKILL)
        landed += process.wait(timeout=60) == -signal.SIGKILL
        check_after_kill(index_dir, {before, after})
        run(command, str(source), "--index", str(index_dir))
        check_recovered(index_dir, after)
    assert landed >= 1  # the chosen-point test above covers every step deterministically
    print(f"\nkill -9 at random moments: {RANDOM_TRIALS} trials ({landed} mid-run), all survived")
