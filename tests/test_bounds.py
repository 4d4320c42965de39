"""The bounds that keep every search cheap: estimated counts, budgets, the result cache, layout.

Speed itself is measured by bench/run.py (no timing is asserted here); these tests pin the bounds
and the honesty of what is returned when a bound applies.
"""

from __future__ import annotations

import hashlib

import pytest
from corpus import write_jsonl

from search import accumulate, collecting, query, searcher
from search.indexer import build_index, update_index
from search.query import compile_query, parse, prefix_budget
from search.searcher import search
from search.store import IndexHandle

SOURCES = ["ANSA", "Avvenire", "Il Post"]


def article(i: int, body: str) -> dict:
    return {
        "id": f"d{i}",
        "title": f"Notizia numero {i}",
        "body": body,
        "source": SOURCES[i % 3],
        "date": f"2024-01-{i % 28 + 1:02d}",
    }


@pytest.fixture
def handle(tmp_path):
    rows = [article(i, f"Il consiglio comunale ha discusso la delibera {i}.") for i in range(12)]
    rows.append(article(12, "La giunta regionale approva il bilancio."))
    build_index([write_jsonl(tmp_path / "a.jsonl", rows)], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    yield handle
    handle.close()


def test_small_result_sets_are_counted_exactly(handle):
    result = search(handle, "comunale")
    assert (result.total, result.total_exact, result.facets_exact) == (12, True, True)
    assert [(v.value, v.count) for v in result.facets["source"]] == [
        ("ANSA", 4),
        ("Avvenire", 4),
        ("Il Post", 4),
    ]


def test_many_matches_get_facets_from_the_candidates_and_say_so(handle, monkeypatch):
    monkeypatch.setattr(searcher, "EXACT_FACETS_UP_TO", 5)
    result = search(handle, "comunale", collapse=False)
    assert (result.total, result.total_exact, result.facets_exact) == (12, True, False)
    assert sum(v.count for v in result.facets["source"]) == 12


@pytest.fixture
def whoosh_collector(monkeypatch):
    """Queries take Whoosh's collector path (as phrases and multi-part words do)."""
    monkeypatch.setattr(accumulate, "flat_terms", lambda q, searcher: None)


def test_past_the_counting_bound_totals_and_facets_are_estimates_and_say_so(
    handle, monkeypatch, whoosh_collector
):
    monkeypatch.setattr(collecting, "EXACT_COUNT_POSTINGS", 5)
    result = search(handle, "comunale", collapse=False)
    # "comunale" is in 12 of the 13 articles; its exact form too: 1 - (1/13)^2 of 13, rounded.
    assert (result.total, result.total_exact, result.facets_exact) == (13, False, False)
    # Facets from the candidates (all 12 here), scaled to the estimate: 4 x 13/12, rounded.
    assert [(v.value, v.count) for v in result.facets["source"]] == [
        ("ANSA", 4),
        ("Avvenire", 4),
        ("Il Post", 4),
    ]
    body = result.to_dict()
    assert (body["total_exact"], body["facets_exact"]) == (False, False)
    assert len(result.hits) == 10


def test_the_page_says_circa_when_the_total_is_an_estimate(handle, monkeypatch, whoosh_collector):
    from web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(handle.index_dir)}).test_client()
    html = client.get("/search?q=comunale").get_data(as_text=True)
    assert "<strong>12 risultati</strong>" in html  # exact: no "circa"
    monkeypatch.setattr(collecting, "EXACT_COUNT_POSTINGS", 5)
    html = client.get("/search?q=comunale&size=20").get_data(as_text=True)
    assert "<strong>circa 13 risultati</strong>" in html


def test_estimates_take_filters_into_account(handle, monkeypatch, whoosh_collector):
    monkeypatch.setattr(collecting, "EXACT_COUNT_POSTINGS", 5)
    result = search(handle, "comunale", source="ANSA", collapse=False)
    assert [h.source for h in result.hits] == ["ANSA"] * 4
    # 13 x (168/169) x (5 ANSA articles / 13), rounded.
    assert (result.total, result.total_exact) == (5, False)


def test_a_query_past_its_work_budget_returns_what_it_found(handle, monkeypatch, whoosh_collector):
    monkeypatch.setattr(searcher, "WORK_BUDGET_S", 0.0)
    result = search(handle, "comunale delibra", collapse=False)
    assert len(result.hits) == 10
    assert result.total_exact is False
    # The spelling pass runs while the query is compiled, under its own work cap (suggest.Budget,
    # tests/test_tolerance.py), so the correction is still offered.
    assert result.suggestion == "comunale delibera"


def test_a_builds_first_query_is_not_charged_for_loading_the_build(handle, monkeypatch):
    """What every search of a build reads (spelling terms, facet columns) is loaded before the
    first query's budget starts: a slow load does not leave that query answered in part."""
    real_warm = searcher.spelling.warm
    loaded = []

    def slow_warm(reader):
        real_warm(reader)
        loaded.append(True)
        deadline = collecting.Deadline(0.3)  # a load that takes longer than the whole budget
        while not deadline.passed():
            pass

    monkeypatch.setattr(searcher.spelling, "warm", slow_warm)
    monkeypatch.setattr(searcher, "WORK_BUDGET_S", 0.2)
    first = search(handle, "comunale delibera")
    again = search(handle, "consiglio")
    assert loaded == [True]  # once per build
    assert (first.total, first.total_exact) == (12, True)
    assert (again.total, again.total_exact) == (12, True)


def test_many_prefixes_share_one_expansion_budget(handle):
    many = " ".join(f"{a}{b}{c}*" for a in "cdg" for b in "oia" for c in "nlmrst")[:499]
    parsed = parse(" ".join(many.split()[:64]))
    assert len(parsed.clauses) == 54
    assert prefix_budget(parsed) == (query.MIN_EXPANSIONS, query.MAX_QUERY_PREFIX_SCAN // 54)
    assert prefix_budget(parse("con*")) == (query.MAX_EXPANSIONS, query.MAX_PREFIX_SCAN)
    assert prefix_budget(parse("con* OR pro* -del*")) == (50, 2000)
    with handle.searcher() as s:
        compiled = compile_query(parsed, s.reader())
    expanded = [t for c in compiled.clauses for t in c.iter_all_terms()]
    assert 0 < len(expanded) <= 54 * query.MIN_EXPANSIONS
    assert search(handle, " ".join(many.split()[:64])).total >= 12


def test_results_are_cached_per_build_and_never_served_from_an_older_one(handle, tmp_path):
    first = search(handle, "bilancio")
    again = search(handle, "  bilancio ")  # the same request, normalised
    assert [h.id for h in first.hits] == [h.id for h in again.hits] == ["d12"]
    cache = handle.current().cache["results"]
    assert len(cache._items) == 1
    update_index(
        [write_jsonl(tmp_path / "u.jsonl", [article(20, "Approvato il bilancio comunale.")])],
        tmp_path / "ix",
    )
    after = search(handle, "bilancio")
    assert sorted(h.id for h in after.hits) == ["d12", "d20"]
    assert after.total == 2


def file_digests(directory):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


def test_segments_are_separate_files_and_updates_never_touch_the_live_build(handle, tmp_path):
    live = handle.current().target
    names = [p.name for p in live.iterdir()]
    assert not [n for n in names if n.endswith(".seg")]  # no compound segment file
    assert any(n.endswith(".pst") for n in names)
    before = file_digests(live)
    stats = {n: (live / n).stat().st_mtime_ns for n in before}
    rows = [article(30 + i, f"Aggiornamento {i} sul bilancio comunale.") for i in range(3)]
    update_index([write_jsonl(tmp_path / "u.jsonl", rows)], tmp_path / "ix")
    assert handle.current().target != live
    assert file_digests(live) == before
    assert {n: (live / n).stat().st_mtime_ns for n in before} == stats


def test_facets_after_an_update_whose_articles_lack_a_column(handle, tmp_path):
    # The update's segment has no source and no date column (its one article has neither).
    rows = [{"id": "u1", "title": "Cometa", "body": "Una cometa sul bilancio."}]
    update_index([write_jsonl(tmp_path / "u.jsonl", rows)], tmp_path / "ix")
    result = search(handle, "bilancio cometa", collapse=False)
    assert sorted(h.id for h in result.hits) == ["d12", "u1"]
    assert [(v.value, v.count) for v in result.facets["source"]] == [("ANSA", 1)]
    assert [(v.value, v.count) for v in result.histogram.months] == [("2024-01", 1)]
    assert result.histogram.undated == 1
