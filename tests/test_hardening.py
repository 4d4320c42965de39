"""Issue 9's defects, one test (or a few) each: bad input, trust, hygiene, links and the API."""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import jsonschema
import pytest
import whoosh.index
from corpus import ARTICLES, write_jsonl

from search import store
from search.articles import Article, Problem, read_sources, safe_url
from search.errors import BuildError, ConfigError, IndexLockedError, UnsafeIndexError
from search.indexer import build_index, index_lock, update_index
from search.store import IndexHandle
from web import create_app
from web.openapi import openapi_document

RASSEGNA = Path(sys.executable).parent / "rassegna"
ATOM = "{http://www.w3.org/2005/Atom}"


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RASSEGNA), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, **(env or {})),
    )


def live_count(index_dir: Path) -> int:
    handle = IndexHandle(index_dir)
    try:
        with handle.searcher() as searcher:
            return searcher.doc_count()
    finally:
        handle.close()


def problems(items) -> list[tuple[str, bool]]:
    return [(str(i), i.skipped) for i in items if isinstance(i, Problem)]


def articles(items) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


# --- 1. update --delete-missing never empties the index because a source was lost ---------------


@pytest.mark.parametrize(
    ("make_source", "why"),
    [
        (lambda d: d / "no_such_file.jsonl", "no such file or directory"),
        (lambda d: _write(d / "binary.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "binary"),
        (lambda d: _write(d / "empty.jsonl", b""), "empty file"),
        (lambda d: _write(d / "bad.jsonl", b"{not json\n[1]\n"), "no article could be read"),
    ],
)
def test_delete_missing_refuses_when_a_source_is_lost(tmp_path, make_source, why):
    index_dir = tmp_path / "ix"
    first = build_index([write_jsonl(tmp_path / "a.jsonl")], index_dir)
    source = make_source(tmp_path)
    result = cli("update", str(source), "--delete-missing", "--index", str(index_dir))
    assert result.returncode == 1
    assert "Refusing --delete-missing" in result.stderr and why in result.stderr
    assert "Nothing was changed" in result.stderr
    assert store.live_target(index_dir).name == first.build_id
    assert live_count(index_dir) == len(ARTICLES)


def test_delete_missing_refuses_when_one_of_several_sources_is_lost(tmp_path):
    index_dir = tmp_path / "ix"
    build_index([write_jsonl(tmp_path / "a.jsonl")], index_dir)
    half = write_jsonl(tmp_path / "half.jsonl", ARTICLES[:3])
    with pytest.raises(BuildError, match=r"1 source\(s\) could not be read"):
        update_index([half, tmp_path / "gone.jsonl"], index_dir, delete_missing=True)
    assert live_count(index_dir) == len(ARTICLES)
    # With every source readable, the same update deletes what is missing.
    report = update_index([half], index_dir, delete_missing=True)
    assert (report.deleted, live_count(index_dir)) == (len(ARTICLES) - 3, 3)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- 2. one bad byte costs one line, not the file ----------------------------------------------


def _jsonl_lines(count: int) -> list[bytes]:
    return [
        json.dumps({"id": f"n{i}", "body": f"La città numero {i} è in festa."}, ensure_ascii=False)
        .encode("utf-8")
        for i in range(1, count + 1)
    ]


def test_nul_byte_and_cp1252_line_cost_nothing_else(tmp_path):
    lines = _jsonl_lines(1000)
    lines[499] = lines[499].replace(b'"body"', b'\x00"body"')  # outside a string
    lines[599] = lines[599].replace(b"festa", b"fe\x00sta")  # inside a string
    lines[699] = "città è".join(lines[699].decode().split("città è")).encode("cp1252")
    path = _write(tmp_path / "dice.jsonl", b"\n".join(lines) + b"\n")
    items = list(read_sources(path))
    assert problems(items) == [
        (f"{path}:700: not valid UTF-8; line decoded as cp1252", False),
        (f"{path}:500: NUL bytes removed", False),
        (f"{path}:600: NUL bytes removed", False),
    ]
    found = articles(items)
    assert len(found) == 1000
    assert found[0].body == "La città numero 1 è in festa."  # valid UTF-8 is not garbled
    assert found[699].body == "La città numero 700 è in festa."
    assert found[599].body == "La città numero 600 è in festa."


def test_csv_with_one_cp1252_row_keeps_every_row(tmp_path):
    rows = ["id,body"] + [f"c{i},Perché la città {i} cambia" for i in range(1, 6)]
    data = b"\n".join(r.encode("cp1252" if r.startswith("c3,") else "utf-8") for r in rows)
    path = _write(tmp_path / "n.csv", data)
    items = list(read_sources(path))
    assert problems(items) == [(f"{path}:4: not valid UTF-8; line decoded as cp1252", False)]
    assert [a.body for a in articles(items)] == [f"Perché la città {i} cambia" for i in range(1, 6)]


def test_whole_cp1252_file_is_one_report_line(tmp_path):
    data = b"\n".join(_jsonl_lines(50)).decode().encode("cp1252")
    path = _write(tmp_path / "old.jsonl", data)
    items = list(read_sources(path))
    assert problems(items) == [(f"{path}: not valid UTF-8; decoded as cp1252", False)]
    assert len(articles(items)) == 50 and articles(items)[0].body.startswith("La città")


def test_mojibake_is_repaired_and_reported(tmp_path):
    mangled = "Perché la città è ferma: l’attesa «continua»".encode().decode("cp1252")
    path = write_jsonl_records(tmp_path / "m.jsonl", {"id": "m", "title": mangled, "body": mangled})
    items = list(read_sources(path))
    assert problems(items) == [(f"{path}:1: mojibake repaired (UTF-8 once read as cp1252)", False)]
    (article,) = articles(items)
    assert article.title == article.body == "Perché la città è ferma: l’attesa «continua»"


def write_jsonl_records(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


# --- 4 and 5. every field cleaned; only http(s) URLs --------------------------------------------


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.org/a?b=1#c", "https://example.org/a?b=1#c"),
        ("HTTP://Example.org/x", "HTTP://Example.org/x"),
        ("https://example.org/con spazi", "https://example.org/con%20spazi"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("\x01javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox(1)", None),
        ("//evil.example/x", None),
        ("https:evil.example", None),
        ("https://", None),
        ("http://[::1", None),
        ("", None),
    ],
)
def test_only_http_urls_are_kept(url, kept):
    assert safe_url(url)[0] == kept


def test_control_characters_are_cleaned_in_every_field_and_bad_urls_reported(tmp_path):
    nasty = "A\x00b\x07c\x1bd\x7fe\u200ef\u202eg\ufffeh\uffffi"
    record = {
        "id": "id\x00\x1f1",
        "title": nasty,
        "author": nasty,
        "source": nasty,
        "url": "javascript:alert(document.cookie)",
        "body": "Testo \ud800 con \x0b controlli \ufffe vari.",
    }
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(record) + "\n", "utf-8")  # ASCII JSON: \\u escapes, lone surrogate
    items = list(read_sources(path))
    assert problems(items) == [
        (
            f"{path}:1: url 'javascript:alert(document.cookie)' is not an http(s) link; "
            "dropped (the article is kept)",
            False,
        )
    ]
    (article,) = articles(items)
    assert article.id == "id 1"
    assert article.title == article.source == "A b c d e f g h i"
    # The author is cleaned, then canonicalised as a byline (search/metadata.py splits it in two).
    assert article.author == "A b c d, F G H I"
    assert article.url is None
    assert article.body == "Testo con controlli vari."
    # The index takes it and the feed stays well-formed XML.
    index_dir = tmp_path / "ix"
    build_index([path], index_dir)
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    feed = ET.fromstring(client.get("/search.atom?q=testo").data)
    assert feed.find(f"{ATOM}entry/{ATOM}title").text == "A b c d e f g h i"


# --- 6. a trusted index: nobody else can write what Whoosh unpickles ----------------------------


class _RunsCode:
    """Pickles to a call of os.system: what a crafted _MAIN_n.toc can hold."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _plant_toc(build_dir: Path, marker: Path) -> None:
    ix = whoosh.index.open_dir(str(build_dir))
    toc = whoosh.index.TOC(ix.schema, [_RunsCode(marker)], ix.latest_generation() + 1)
    toc.write(ix.storage, "MAIN")


def test_a_planted_toc_in_a_world_writable_index_is_never_loaded(tmp_path):
    index_dir = tmp_path / "ix"
    build_index([write_jsonl(tmp_path / "a.jsonl")], index_dir)
    marker = tmp_path / "pwned"
    live = store.live_target(index_dir)
    _plant_toc(live, marker)
    for path in (index_dir, live, *live.iterdir()):
        path.chmod(path.stat().st_mode | 0o002)
    result = cli("stats", "--index", str(index_dir))
    assert result.returncode == 1
    assert "writable by other users" in result.stderr
    assert f"chmod -R go-w {index_dir}" in result.stderr
    assert not marker.exists()
    # Control: the planted file really runs code once it is trusted (the owner's own files).
    for path in (index_dir, live, *live.iterdir()):
        path.chmod(path.stat().st_mode & ~0o022)
    cli("stats", "--index", str(index_dir))
    assert marker.exists()


@pytest.mark.parametrize("where", ["index_dir", "builds", "build", "file"])
def test_group_or_world_writable_index_is_refused_everywhere(tmp_path, where):
    index_dir = tmp_path / "ix"
    build_index([write_jsonl(tmp_path / "a.jsonl")], index_dir)
    live = store.live_target(index_dir)
    target = {
        "index_dir": index_dir,
        "builds": index_dir / "builds",
        "build": live,
        "file": live / "manifest.json",
    }[where]
    target.chmod(target.stat().st_mode | (0o020 if where == "file" else 0o002))
    with pytest.raises(UnsafeIndexError, match=re.escape(f"{target} is writable by other users")):
        IndexHandle(index_dir).current()
    serve = cli("serve", "--index", str(index_dir), "--port", "8119")
    assert serve.returncode == 1 and "chmod -R go-w" in serve.stderr
    response = create_app({"INDEX_DIR": str(index_dir)}).test_client().get("/api/search?q=x")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "unsafe_index"
    with pytest.raises(UnsafeIndexError):
        update_index([tmp_path / "a.jsonl"], index_dir)


def test_builds_are_sealed_whatever_the_umask(tmp_path):
    old = os.umask(0o000)
    try:
        build_index([write_jsonl(tmp_path / "a.jsonl")], tmp_path / "ix")
    finally:
        os.umask(old)
    live = store.live_target(tmp_path / "ix")
    assert all(not p.stat().st_mode & 0o022 for p in (live, *live.iterdir()))
    assert live_count(tmp_path / "ix") == len(ARTICLES)


# --- 7. stale builds are cleaned at the start of every run --------------------------------------


def test_stale_builds_are_removed_by_the_next_run_even_a_no_op_update(tmp_path):
    index_dir = tmp_path / "ix"
    source = write_jsonl(tmp_path / "a.jsonl")
    first = build_index([source], index_dir)
    second = build_index([source], index_dir)
    for name in ("20200101T000000-dead01", "20200101T000000-dead02"):
        (index_dir / "builds" / name).mkdir()
        (index_dir / "builds" / name / "_MAIN_1.toc").write_bytes(b"partial")
    os.symlink("builds/nowhere", index_dir / ".current.999.tmp")
    report = update_index([source], index_dir)  # nothing changed
    assert (report.added, report.replaced) == (0, 0)
    assert sorted(p.name for p in (index_dir / "builds").iterdir()) == sorted(
        [first.build_id, second.build_id]
    )
    assert not (index_dir / ".current.999.tmp").is_symlink()


# --- 8. the lock message -------------------------------------------------------------------------


def test_lock_message_before_the_holder_wrote_its_pid(tmp_path):
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    fd = os.open(index_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held, no pid written yet
        with pytest.raises(IndexLockedError) as caught:
            with index_lock(index_dir):
                pass
        assert str(caught.value) == (
            f"Another indexer is already working on {index_dir}; "
            "wait for it to finish, then run the command again."
        )
        os.pwrite(fd, b"4242", 0)
        with pytest.raises(IndexLockedError, match=r"working on .* \(pid 4242\); wait"):
            with index_lock(index_dir):
                pass
    finally:
        os.close(fd)


# --- 9. any id can be opened from its link -------------------------------------------------------

ODD_IDS = ["a/b", "a/../b", "../../etc/passwd", ".", "..", "~x", "a?b#c", "città 1", "a\\b"]
ODD_IDS += ["%2e%2e", "a//b/", "/lead"]


@pytest.fixture(scope="module")
def odd_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("odd")
    records = [
        {"id": odd, "title": f"Articolo strano numero {n}", "body": f"Testo strano {n} zebra."}
        for n, odd in enumerate(ODD_IDS)
    ]
    records.append({"id": "b", "title": "Articolo b", "body": "Un altro testo."})
    build_index([write_jsonl_records(root / "odd.jsonl", *records)], root / "ix")
    return root / "ix"


@pytest.mark.parametrize("n", range(len(ODD_IDS)))
def test_odd_ids_open_from_their_result_link(odd_index, n):
    client = create_app({"INDEX_DIR": str(odd_index), "TESTING": True}).test_client()
    html = client.get(f"/search?q=strano+{n}").get_data(as_text=True)
    hrefs = re.findall(r'<h2 class="hit-title"><a href="([^"]+)">', html)
    assert hrefs, html[:500]
    # Resolve the link the way a browser does (dot segments removed), then follow it.
    resolved = urljoin("http://localhost/search?q=x", hrefs[0].replace("&amp;", "&"))
    page = client.get(resolved[len("http://localhost") :])
    assert page.status_code == 200
    assert f"Articolo strano numero {n}" in page.get_data(as_text=True)


def test_odd_ids_through_the_api(odd_index):
    from web.ids import id_to_segment

    client = create_app({"INDEX_DIR": str(odd_index), "TESTING": True}).test_client()
    for odd in ODD_IDS:
        response = client.get("/api/articles/" + id_to_segment(odd))
        assert response.status_code == 200 and response.get_json()["id"] == odd


# --- 10. the OpenAPI document and the behaviour agree ------------------------------------------


@pytest.mark.parametrize("name", ["year", "from", "to"])
@pytest.mark.parametrize(
    "value",
    ["", "2024", "2024-02", "2024-02-29", "2023-02-29", "2024-13", "2024-00", "0000", "LD",
     " 2024", "2024 ", "2024-1-1", "9999-12", "9999-12-31", "20245", "２０２４", "2024-02-30"],
)  # fmt: skip
def test_openapi_parameters_accept_exactly_what_the_api_accepts(client, name, value):
    parameter = next(
        p for p in openapi_document()["paths"]["/api/search"]["get"]["parameters"]
        if p["name"] == name
    )
    validator = jsonschema.Draft202012Validator(
        parameter["schema"], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    response = client.get("/api/search", query_string={"q": "manovra", name: value})
    assert response.status_code in (200, 400)
    assert validator.is_valid(value) == (response.status_code == 200), response.get_json()


# --- 11. the Atom feed never echoes the Host header ---------------------------------------------


def test_feed_ignores_the_host_header(client):
    response = client.get("/search.atom?q=manovra", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert b"evil.example" not in response.data
    root = ET.fromstring(response.data)
    assert root.find(f"{ATOM}id").text == "urn:rassegna:search.atom?q=manovra"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "/search.atom?q=manovra"
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text.startswith("urn:rassegna:articles/")
    assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("/articles/")


def test_feed_uses_the_configured_base_url(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "BASE_URL": "https://news.example.org"})
    response = app.test_client().get("/search.atom?q=manovra", headers={"Host": "evil.example"})
    root = ET.fromstring(response.data)
    assert root.find(f"{ATOM}id").text == "https://news.example.org/search.atom?q=manovra"
    assert b"evil.example" not in response.data
    app.extensions["rassegna"].close()


def test_base_url_setting_is_declared_and_checked(monkeypatch):
    from search import config

    assert "base_url" in [s.name for s in config.SETTINGS]
    assert config.base_url({"RASSEGNA_BASE_URL": "https://news.example.org/"}) == (
        "https://news.example.org"
    )
    assert config.base_url({}) == ""
    with pytest.raises(ConfigError, match="RASSEGNA_BASE_URL must be an http"):
        config.base_url({"RASSEGNA_BASE_URL": "javascript:alert(1)"})
    serve = cli("serve", "--port", "8118", env={"RASSEGNA_BASE_URL": "news.example.org"})
    assert serve.returncode == 1
    assert serve.stderr.startswith("Error: RASSEGNA_BASE_URL must be an http(s) address")


# --- 12. every skipped or doubtful file gets a report line --------------------------------------


def test_odd_files_each_get_a_report_line(tmp_path):
    src = tmp_path / "src"
    (src / "real").mkdir(parents=True)
    (src / "real" / "ok.txt").write_text("Un articolo vero e proprio.", "utf-8")
    os.symlink(src / "real", src / "link_to_dir")
    os.symlink(src / "loop", src / "loop")
    os.symlink(src / "missing.txt", src / "dangling.txt")
    (src / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (src / "data.json").write_text('{"id": "j"}', "utf-8")
    (src / "moji.txt").write_text("La città è bella.".encode().decode("cp1252"), "utf-8")
    (src / "open.md").write_text(
        "---\ntitle: Un titolo\nsource: Il Post\n\nIl testo dell'articolo, senza chiusura.\n",
        "utf-8",
    )
    items = list(read_sources(src))
    assert problems(items) == [
        (f"{src / 'dangling.txt'}: broken symlink (No such file or directory); skipped", True),
        (f"{src / 'data.json'}: unsupported file type (expected .txt, .md, .jsonl, .csv)", True),
        (f"{src / 'link_to_dir'}: symlinked directory; not followed (give it as a source to "
         "read it)", True),
        (f"{src / 'loop'}: symlink loop; skipped", True),
        (f"{src / 'moji.txt'}:1: mojibake repaired (UTF-8 once read as cp1252)", False),
        (f"{src / 'open.md'}: front matter not closed (no second '---' line); read 2 field(s), "
         "the rest as text", False),
        (f"{src / 'photo.png'}: unsupported file type (expected .txt, .md, .jsonl, .csv)", True),
    ]  # fmt: skip
    by_id = {a.id: a for a in articles(items)}
    assert sorted(by_id) == ["moji", "ok", "open"]
    assert by_id["moji"].body == "La città è bella."
    assert (by_id["open"].title, by_id["open"].source) == ("Un titolo", "Il Post")
    assert by_id["open"].body == "Il testo dell'articolo, senza chiusura."


# --- 13. queries that start with '-' ------------------------------------------------------------


def test_cli_queries_may_start_with_a_dash(tmp_path):
    index_dir = tmp_path / "ix"
    build_index([write_jsonl(tmp_path / "a.jsonl")], index_dir)
    for args, query in [
        (["-melone presidente"], "-melone presidente"),
        (["-melone", "presidente"], "-melone presidente"),
        (["presidente", "-melone", "--size", "2"], "presidente -melone"),
        (["--size=2", "-melone", "presidente"], "-melone presidente"),
        (["--index", str(index_dir), "--", "-melone", "presidente"], "-melone presidente"),
    ]:
        if "--" not in args:
            args = [*args, "--index", str(index_dir)]
        result = cli("search", "--json", *args)
        assert result.returncode == 0, result.stderr
        body = json.loads(result.stdout)
        assert body["query"] == query
        assert "a4" not in [h["id"] for h in body["hits"]] and body["total"] > 0
    assert cli("search", "--size", "2", "-melone", "--index", str(index_dir)).returncode == 0
    assert "Usage" in cli("search", "-h").stdout


def test_a_short_text_with_one_stray_nul_is_text_not_binary(tmp_path):
    path = _write(tmp_path / "breve.txt", b"Breve testo\x00 con un NUL.")
    items = list(read_sources(path))
    assert problems(items) == [(f"{path}:1: NUL bytes removed", False)]
    assert articles(items)[0].body == "Breve testo con un NUL."
