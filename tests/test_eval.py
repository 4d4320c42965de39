"""The evaluation harness: its metrics on hand-computed cases, and one run end to end."""

from __future__ import annotations

import json
import math

import pytest

# eval/ is a repo-level tool, not installed: pytest's `pythonpath = ["."]` makes it importable.
from eval import report
from eval.data import Query, keyword_form
from eval.metrics import ndcg_at, reciprocal_rank, score_runs, success_at
from eval.run import main, sample_queries
from eval.systems import TantivyBaseline


def test_reciprocal_rank_counts_the_first_relevant_within_the_cutoff():
    assert reciprocal_rank(["a", "b", "c"], ["c"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a", "b", "c"], ["b", "c"]) == pytest.approx(1 / 2)
    assert reciprocal_rank([str(i) for i in range(20)], ["10"]) == 0.0  # rank 11: past 10
    assert reciprocal_rank([], ["a"]) == 0.0


def test_success_at_k():
    assert success_at(["a", "b"], ["a"], 1) == 1.0
    assert success_at(["a", "b"], ["b"], 1) == 0.0
    assert success_at(["a", "b"], ["b"], 10) == 1.0


def test_ndcg_with_one_and_two_relevant():
    assert ndcg_at(["x", "r"], ["r"]) == pytest.approx(1 / math.log2(3))
    # Relevant at ranks 2 and 3; ideal at ranks 1 and 2.
    expected = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ndcg_at(["x", "r1", "r2"], ["r1", "r2"]) == pytest.approx(expected)
    assert ndcg_at(["r1", "r2"], ["r1", "r2"]) == pytest.approx(1.0)


def test_score_runs_averages_and_keeps_failures():
    scores = score_runs([(["a"], ["a"]), (["b", "a"], ["a"]), ([], ["a"])], failures=1)
    assert scores.queries == 3
    assert scores.mrr == pytest.approx((1 + 0.5 + 0) / 3)
    assert scores.success1 == pytest.approx(1 / 3)
    assert scores.success10 == pytest.approx(2 / 3)
    assert scores.failures == 1


def test_keyword_form_takes_the_three_longest_non_stop_words_in_order():
    headline = "Ruba l'auto al coinquilino ubriaco: si schianta durante l'inseguimento"
    assert keyword_form(headline) == "coinquilino schianta inseguimento"
    # Equal lengths: the earlier word wins; stop words ("per", "la") never count.
    assert keyword_form("Carta rubata per la benzina") == "Carta rubata benzina"
    assert keyword_form("Perché più città") == "città"  # "perché", "più" are stop words


def test_write_section_replaces_in_place_and_keeps_hand_written_text(tmp_path):
    path = tmp_path / "RESULTS.md"
    report.write_section(path, "main", "first")
    path.write_text(path.read_text() + "\nHand-written notes.\n")
    report.write_section(path, "main", "second")
    text = path.read_text()
    assert "<!-- eval:main -->\nsecond\n<!-- /eval:main -->" in text
    assert "first" not in text and "Hand-written notes." in text


ARTICLES = [
    ("k1", "Incendio in un capannone artigianale a Carpi, le fiamme distruggono il tetto."),
    ("k2", "Furto con spaccata in una tabaccheria del centro: i ladri fuggono in auto."),
    ("k3", "Il consiglio comunale approva il bilancio e la nuova pista ciclabile."),
    ("k4", "Nevicata sull'Appennino: strade chiuse e scuole chiuse lunedì."),
    ("k5", "Rapina in farmacia: il bandito armato di taglierino scappa con l'incasso."),
]
QUERIES = [
    ("q1", "Carpi: incendio nel capannone artigianale", "k1"),  # tantivy rejects "Carpi:"
    ("q2", "Spaccata in tabaccheria, ladri in fuga", "k2"),
    ("q3", "Approvato il bilancio comunale con la pista ciclabile", "k3"),
    ("q4", "Appennino, la nevicata chiude strade e scuole", "k4"),
    ("q5", "Rapina armata in farmacia con un taglierino", "k5"),
]


def write_dataset(root, articles, queries):
    """A corpus directory as the harness reads it; each record carries its headline as title."""
    root.mkdir()
    (root / "articles.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in articles), "utf-8"
    )
    (root / "queries_known_item.jsonl").write_text(
        "".join(
            json.dumps({"qid": q, "query": text, "relevant_ids": [rel]}, ensure_ascii=False) + "\n"
            for q, text, rel in queries
        ),
        "utf-8",
    )
    return root


def test_the_harness_end_to_end_on_two_tiny_corpora(tmp_path):
    headlines = {rel: text for _, text, rel in QUERIES}
    records = [{"id": i, "title": headlines[i], "body": body} for i, body in ARTICLES]
    # A headline-only item: without its title it has nothing left, and is skipped.
    records.append({"id": "k6", "title": "Solo il titolo di un lancio", "body": ""})
    first = write_dataset(tmp_path / "uno", records, QUERIES)
    second = write_dataset(tmp_path / "due", records[:3], QUERIES[:3])
    out = tmp_path / "RESULTS.md"
    args = ["--dataset", str(first), "--dataset", str(second), "--out", str(out)]
    args += ["--cache-dir", str(tmp_path / "cache"), "--workers", "1"]
    assert main(args) == 0
    text = out.read_text("utf-8")
    # The titles (the queries themselves) were removed before indexing: the ids are found
    # through their bodies, so a headline query is not trivially its own title.
    assert "(5 articles indexed, titles removed;" in text
    assert "(3 articles indexed, titles removed;" in text
    assert "## Known-item search on uno: Rassegna vs baselines" in text
    assert "## Known-item search on due: Rassegna vs baselines" in text
    assert "| rassegna (defaults) | headline | 1.000 | 1.000 | 1.000 | 1.000 | 0 |" in text
    assert "| rassegna (defaults) | keywords |" in text
    assert "| whoosh OR | headline | 1.000 | 1.000 | 1.000 | 1.000 | 0 |" in text
    # "Carpi:" would be a field to tantivy's parser: the baseline searches the words.
    assert "| tantivy | headline | 1.000 | 1.000 | 1.000 | 1.000 | 0 |" in text
    assert "(5 of 5; x 2 styles)" in text and "(3 of 3; x 2 styles)" in text
    untitled = next((tmp_path / "cache").glob("uno-*-untitled.jsonl"))
    assert all("title" not in json.loads(line) for line in untitled.read_text().splitlines())
    # A second run reuses the cached indexes and rewrites the same sections.
    assert main(args) == 0
    assert out.read_text("utf-8").count("<!-- eval:main-uno -->") == 1


def test_query_samples_are_fixed_by_the_seed_and_keep_file_order():
    queries = [Query(f"q{i}", f"testo {i}", [f"a{i}"]) for i in range(100)]
    sample = sample_queries(queries, 10, seed=7)
    assert len(sample) == 10
    assert sample == sample_queries(queries, 10, seed=7)
    assert sample != sample_queries(queries, 10, seed=8)
    assert [int(q.qid[1:]) for q in sample] == sorted(int(q.qid[1:]) for q in sample)
    assert sample_queries(queries, 500, seed=7) == queries
    assert sample_queries(queries, None, seed=7) == queries


def test_tantivy_baseline_searches_the_words_of_pasted_text(tmp_path):
    corpus = tmp_path / "c.jsonl"
    system = TantivyBaseline()
    from search.articles import Article

    article = Article("t1", "", False, "Il sindaco parla", None, None, None, None, "x")
    system.build([article], corpus, tmp_path / "tv")
    assert system.search("sindaco") == ["t1"]
    # Query syntax in a pasted headline is punctuation: no parse error, no dropped words.
    assert system.search('Il sindaco: "parla') == ["t1"]
    assert system.search("NOT sindaco | AND") == ["t1"]
    assert system.search("Il\xa0sindaco:\xa0parla") == ["t1"]  # no-break spaces, as pasted
    assert system.search("*") == []


def test_levers_are_measured_on_every_corpus_with_the_baselines(tmp_path):
    headlines = {rel: text for _, text, rel in QUERIES}
    records = [{"id": i, "title": headlines[i], "body": body} for i, body in ARTICLES]
    first = write_dataset(tmp_path / "uno", records, QUERIES)
    out = tmp_path / "RESULTS.md"
    args = ["--dataset", str(first), "--out", str(out), "--levers", "--lever-sample", "4"]
    args += ["--cache-dir", str(tmp_path / "cache"), "--workers", "1"]
    assert main(args) == 0
    text = out.read_text("utf-8")
    assert "| lever | uno headline | uno keywords |" in text
    assert "queries: uno 4 (seed 20240216)" in text
    assert "| baseline: plain Whoosh OR | 1.000 |" in text
    assert "| **chosen DEFAULT** (both of the above) | 1.000 |" in text
    # Index-time levers got their own builds (byline off, lead 1) besides the main one.
    assert len(list((tmp_path / "cache").glob("rassegna-*"))) == 3


def test_story_coverage_table_for_a_corpus_with_same_event_pairs(tmp_path):
    headlines = {rel: text for _, text, rel in QUERIES}
    records = [{"id": i, "title": headlines[i], "body": body} for i, body in ARTICLES]
    records.append(
        {
            "id": "k7",
            "title": None,
            "body": "Carpi, il capannone artigianale distrutto dalle "
            "fiamme: l'incendio è partito dal tetto.",
        }
    )
    root = write_dataset(tmp_path / "tre", records, QUERIES)
    # k1 and k7 tell the same event; k7 has no headline among the queries, so one direction.
    (root / "same_event_pairs.jsonl").write_text(
        json.dumps({"id1": "k1", "id2": "k7"}) + "\n", "utf-8"
    )
    out = tmp_path / "RESULTS.md"
    args = ["--dataset", str(root), "--out", str(out), "--no-tantivy"]
    args += ["--cache-dir", str(tmp_path / "cache"), "--workers", "1"]
    assert main(args) == 0
    text = out.read_text("utf-8")
    assert "## Story coverage on tre: Rassegna vs baselines" in text
    assert "both ways (1 queries)" in text
    # k1's headline finds k1 first, then k7: the partner at rank 2.
    assert "| rassegna (defaults) | headline | 0.500 | 0.000 | 1.000 |" in text
    assert "| whoosh OR | headline | 0.500 | 0.000 | 1.000 |" in text
