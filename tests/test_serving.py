"""A real gunicorn (`rassegna serve`) over a real index, rebuilt and updated while it serves."""

from __future__ import annotations

import json
import subprocess
import threading
import time

import pytest
from webfixtures import (
    ARTICLES,
    NEW_BUILD_ARTICLES,
    RASSEGNA,
    UPDATE_ARTICLES,
    LiveServer,
    build_corpus_index,
    write_jsonl,
)

pytestmark = pytest.mark.serving

POLLED = ("/api/search?q=manovra", "/search?q=manovra", "/readyz", "/articles/a01?q=manovra")


@pytest.fixture
def server(tmp_path):
    index_dir = build_corpus_index(tmp_path)
    with LiveServer(index_dir, tmp_path / "gunicorn.log", workers=2) as live:
        yield live, index_dir


def api(live: LiveServer, path: str) -> dict:
    status, body = live.get(path)
    assert status == 200, body[:300]
    return json.loads(body)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(RASSEGNA), *args, "--quiet"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result


def wait_for_total(live: LiveServer, query: str, total: int, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    body = {}
    while time.monotonic() < deadline:
        body = api(live, f"/api/search?q={query}")
        if body["total"] == total:
            return body
        time.sleep(0.1)
    raise AssertionError(f"{query!r}: total {body.get('total')} != {total} after {timeout} s")


class Poller(threading.Thread):
    """Requests the polled URLs in a loop until stopped; records every failure."""

    def __init__(self, live: LiveServer, limit: int = 20000):
        super().__init__(daemon=True)
        self.live, self.limit = live, limit
        self.stop = threading.Event()
        self.done = 0
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set() and self.done < self.limit:
            path = POLLED[self.done % len(POLLED)]
            try:
                status, body = self.live.get(path, timeout=10)
                if status != 200:
                    self.failures.append(f"{path}: {status} {body[:200]!r}")
            except OSError as error:
                self.failures.append(f"{path}: {error!r}")
            self.done += 1


def test_serves_pages_and_api(server):
    live, _ = server
    status, html = live.get("/search?q=manovra")
    assert status == 200
    assert b'<h2 class="hit-title"><a href="/articles/a02?q=manovra">' in html
    assert api(live, "/api/search?q=manovra")["total"] == 5
    assert api(live, "/healthz") == {"status": "ok"}
    status, _ = live.get("/api/articles/nope")
    assert status == 404
    status, body = live.get("/api/search?page=abc")
    assert status == 400
    assert json.loads(body)["error"]["code"] == "bad_query"
    status, css = live.get("/static/style.css")
    assert status == 200 and b"--accent" in css
    log = live.log()
    assert '"GET /api/search?q=manovra HTTP/1.1" 200' in log  # access log on stdout


def test_rebuild_and_update_show_up_without_restart_and_nothing_fails(server, tmp_path):
    live, index_dir = server
    first_build = api(live, "/readyz")["build_id"]
    assert api(live, "/api/search?q=eclissi")["total"] == 0
    new_corpus = write_jsonl(tmp_path / "new" / "articles.jsonl", ARTICLES + NEW_BUILD_ARTICLES)
    update = write_jsonl(tmp_path / "update" / "articles.jsonl", UPDATE_ARTICLES)

    poller = Poller(live)
    poller.start()
    try:
        run_cli("index", str(new_corpus), "--index", str(index_dir))
        body = wait_for_total(live, "eclissi", 1)
        assert body["hits"][0]["id"] == "n01"
        rebuilt = api(live, "/readyz")
        assert rebuilt["build_id"] != first_build
        assert rebuilt["doc_count"] == 13

        run_cli("update", str(update), "--index", str(index_dir))
        body = wait_for_total(live, "asteroide", 1)
        assert body["hits"][0]["id"] == "u01"
        updated = api(live, "/readyz")
        assert updated["build_id"] != rebuilt["build_id"]
        assert updated["doc_count"] == 14
        # Both workers answer from the new build (several requests spread over them).
        for _ in range(8):
            assert api(live, "/api/stats")["doc_count"] == 14
        status, html = live.get("/search?q=asteroide")
        assert status == 200 and b"Scoperto un nuovo <mark>asteroide</mark>" in html
    finally:
        poller.stop.set()
        poller.join(timeout=30)
    assert not poller.is_alive()
    assert poller.done > 0
    assert poller.failures == [], poller.failures[:5]
    assert live.process.poll() is None  # same gunicorn all along
