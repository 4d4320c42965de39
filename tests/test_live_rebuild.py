"""Live rebuilds under load: gunicorn keeps answering while `rassegna index` and `rassegna update`
run again and again; no request fails, each swap shows up, file descriptors stay flat."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_serving import Poller, api, run_cli, wait_for_total
from webfixtures import ARTICLES, LiveServer, build_corpus_index, write_jsonl

pytestmark = [pytest.mark.serving, pytest.mark.slow]

CLIENTS = 4  # concurrent pollers on loopback (bounded: the machine is small)
ROUNDS = 3  # each round: one full rebuild, then one update


def worker_fds(master: int) -> dict[int, int]:
    """Open file descriptors of each gunicorn worker (the master's children)."""
    counts = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == master:
                counts[int(entry)] = len(os.listdir(f"/proc/{entry}/fd"))
        except (OSError, ValueError, IndexError):
            continue  # a worker recycled meanwhile
    return counts


def article(word: str, n: int) -> dict:
    return {
        "id": f"{word}{n}",
        "title": f"Notizia {word} numero {n}",
        "body": f"Un fatto nuovo: {word} numero {n}, scritto per la prova di ricostruzione.",
        "source": "Ansa",
        "date": f"2025-07-{n + 1:02d}",
    }


@pytest.fixture
def server(tmp_path):
    index_dir = build_corpus_index(tmp_path)
    with LiveServer(index_dir, tmp_path / "gunicorn.log", workers=2) as live:
        yield live, index_dir


def test_rebuilds_and_updates_under_load(server, tmp_path):
    live, index_dir = server
    pollers = [Poller(live) for _ in range(CLIENTS)]
    for poller in pollers:
        poller.start()
    samples: list[dict[int, int]] = []
    corpus = list(ARTICLES)
    try:
        for rnd in range(ROUNDS):
            corpus.append(article("cometa", rnd))
            source = write_jsonl(tmp_path / f"rebuild{rnd}" / "a.jsonl", corpus)
            run_cli("index", str(source), "--index", str(index_dir))
            body = wait_for_total(live, "cometa", rnd + 1)
            assert f"cometa{rnd}" in [hit["id"] for hit in body["hits"]]
            samples.append(worker_fds(live.process.pid))

            new = article("meteora", rnd)
            corpus.append(new)
            update = write_jsonl(tmp_path / f"update{rnd}" / "u.jsonl", [new])
            run_cli("update", str(update), "--index", str(index_dir))
            body = wait_for_total(live, "meteora", rnd + 1)
            assert f"meteora{rnd}" in [hit["id"] for hit in body["hits"]]
            assert api(live, "/readyz")["doc_count"] == len(corpus)
            samples.append(worker_fds(live.process.pid))
    finally:
        for poller in pollers:
            poller.stop.set()
        for poller in pollers:
            poller.join(timeout=30)
    served = sum(p.done for p in pollers)
    failures = [f for p in pollers for f in p.failures]
    print(
        f"\nlive rebuild: {ROUNDS} rebuilds + {ROUNDS} updates under {CLIENTS} clients, "
        f"{served} requests, {len(failures)} failed; worker fds per swap: {samples}"
    )
    assert served > 0 and failures == [], failures[:5]
    assert live.process.poll() is None
    # Flat: a worker that lived through several swaps holds no more descriptors at the end
    # than after the first one (a leaked searcher per swap would add several each time).
    seen: dict[int, list[int]] = {}
    for sample in samples:
        for pid, count in sample.items():
            seen.setdefault(pid, []).append(count)
    long_lived = {pid: counts for pid, counts in seen.items() if len(counts) >= 3}
    assert long_lived, seen
    for pid, counts in long_lived.items():
        assert counts[-1] <= counts[0] + 2, (pid, counts)
