"""The real `rassegna` entry point, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from corpus import SEARCH_RESPONSE_KEYS, write_jsonl

from search.cli import main

RASSEGNA = str(Path(sys.executable).parent / "rassegna")
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def run(*args, env=None):
    return subprocess.run(
        [RASSEGNA, *map(str, args)], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    index = tmp_path_factory.mktemp("cli") / "index"
    result = run("index", SEEDS, "--index", index, "--quiet")
    assert result.returncode == 0, result.stderr
    return index


def test_index_prints_a_one_line_summary(seeded):
    out = run("index", SEEDS, "--index", seeded, "--quiet")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Indexed 5 articles in ") and lines[0].endswith("; skipped 0")


def test_index_json_and_problem_lines(tmp_path):
    src = write_jsonl(tmp_path / "n.jsonl")
    with src.open("a") as f:
        f.write("{broken\n")
    out = run("index", src, "--index", tmp_path / "ix", "--json")
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert (data["doc_count"], data["skipped"]) == (7, 1)
    assert data["skipped_by_reason"] == {"malformed JSON": 1}
    text = run("index", src, "--index", tmp_path / "ix")
    assert f"{src}:8: malformed JSON: Expecting property name enclosed in double quotes" in (
        text.stderr
    )
    assert text.stdout.strip().endswith("; skipped 1 (1 malformed JSON)")


def test_index_exits_non_zero_when_nothing_could_be_indexed(tmp_path):
    (tmp_path / "empty.txt").write_text("", "utf-8")
    out = run("index", tmp_path / "empty.txt", "--index", tmp_path / "ix")
    assert out.returncode == 1
    assert out.stderr.splitlines()[-1].startswith("Error: Nothing could be indexed from ")


def test_search_json_is_the_api_object(seeded):
    out = run("search", "Zelenksy negoziato", "--index", seeded, "--json", "--size", "2")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert list(data) == SEARCH_RESPONSE_KEYS
    assert data["suggestion"] == "Zelensky negoziato"
    assert data["size"] == 2 and len(data["hits"]) == 2
    assert data["hits"][0]["id"] == "001_a22bd456e91d5c43"


def test_search_prints_ranked_results_with_snippets(seeded):
    out = run("search", "Witkoff Kushner", "--index", seeded, "--size", "1")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0].startswith("2 results (")
    assert (
        lines[2].startswith("1. Russia-USA, 5 ore di colloqui")
        and "[002_0a88658577c0d9c0]" in (lines[2])
    )
    assert lines[3] == "   L'Indipendente · Valeria Casolaro"
    assert "Witkoff" in lines[4] and "<mark>" not in out.stdout


def test_bad_query_is_a_one_line_error(seeded):
    out = run("search", "putin", "--from", "16/02/2024", "--index", seeded)
    assert out.returncode == 1
    assert out.stderr == (
        "Error: `from` must be a date like 2024-02-16 (or 2024, 2024-02); got '16/02/2024'.\n"
    )


def test_typo_tolerance_and_truncation_are_reported(seeded):
    out = run("search", "Witkof", "--index", seeded)
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[1:3] == ["Also searched: Witkoff", "Did you mean: Witkoff"]
    assert "[004_12cb21f4b2fde920]" in lines[4]
    out = run("search", "Putin " * 70, "--index", seeded, "--size", "1")
    assert out.stdout.splitlines()[1] == "Searched only the first 64 words of the query."


def test_malformed_synonyms_file_is_a_one_line_error(seeded, tmp_path):
    bad = tmp_path / "synonyms.txt"
    bad.write_text("il, Kiev\n", encoding="utf-8")
    env = {**os.environ, "RASSEGNA_SYNONYMS": str(bad)}
    out = run("search", "putin", "--index", seeded, env=env)
    assert out.returncode == 1
    assert out.stderr == (
        f"Error: {bad}, line 1: 'il' has no searchable word (only stop words or punctuation); "
        "remove it or fix the line.\n"
    )


def test_missing_index_says_what_to_do(tmp_path):
    out = run("search", "putin", "--index", tmp_path / "none")
    assert out.returncode == 1
    assert out.stderr.startswith(f"Error: No index in {tmp_path / 'none'}; run `rassegna index`")


def test_stats(seeded):
    out = run("stats", "--index", seeded, "--json")
    data = json.loads(out.stdout)
    assert data["doc_count"] == 5
    # No seed prints its own date (the one date once read was a photo caption's).
    assert data["date_min"] is data["date_max"] is None
    assert data["sources"] == [{"value": "L'Indipendente", "count": 1}]
    text = run("stats", "--index", seeded).stdout
    assert "Documents:  5" in text


def test_update_and_show(tmp_path):
    index = tmp_path / "ix"
    assert run("index", SEEDS, "--index", index, "--quiet").returncode == 0
    src = write_jsonl(tmp_path / "more.jsonl")
    out = run("update", src, "--index", index, "--quiet")
    assert out.returncode == 0, out.stderr
    assert "7 added, 0 replaced, 0 unchanged, 0 deleted; 12 in all" in out.stdout
    shown = run("show", "a5", "--index", index, "--json")
    assert json.loads(shown.stdout)["title"] == "Zelensky a Bruxelles"


def test_index_dir_from_environment(seeded):
    import os

    env = dict(os.environ, RASSEGNA_INDEX=str(seeded))
    out = run("stats", "--json", env=env)
    assert json.loads(out.stdout)["index_dir"] == str(seeded)


def test_every_command_and_option_has_help():
    for name, command in main.commands.items():
        assert command.help, f"`rassegna {name}` has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"`rassegna {name} {param.opts[0]}` has no help text"
    out = run("search", "-h")
    assert out.returncode == 0 and "--sort [relevance|date|-date]" in out.stdout


def test_counts_are_singular_for_one(tmp_path):
    src = write_jsonl(tmp_path / "one.jsonl")
    lines = src.read_text("utf-8").splitlines()
    src.write_text(lines[0] + "\n", "utf-8")
    out = run("index", src, "--index", tmp_path / "ix", "--quiet")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Indexed 1 article in ")
    first = json.loads(lines[0])
    word = first["title"].split()[-1]
    found = run("search", word, "--index", tmp_path / "ix")
    assert found.stdout.splitlines()[0].startswith("1 result (")


def test_search_takes_repeated_filters(tmp_path):
    index = tmp_path / "ix"
    assert run("index", write_jsonl(tmp_path / "n.jsonl"), "--index", index, "-q").returncode == 0
    out = run("search", "--index", index, "--sort", "-date", "--json", "--source", "ANSA")
    one = {hit["id"] for hit in json.loads(out.stdout)["hits"]}
    sources = sorted({hit["source"] for hit in json.loads(out.stdout)["hits"]})
    assert one and sources == ["ANSA"]
    both = run("search", "--index", index, "--sort", "-date", "--json", "--no-collapse",
               "--source", "ANSA", "--source", "Il Post")  # fmt: skip
    data = json.loads(both.stdout)
    assert {hit["source"] for hit in data["hits"]} == {"ANSA", "Il Post"}
    assert one < {hit["id"] for hit in data["hits"]}
    assert "--source NAME" in run("search", "-h").stdout


def test_search_shows_every_copy_unless_told_to_collapse(tmp_path):
    story = (
        "Il consiglio comunale di Carpi ha approvato il bilancio con i fondi per la nuova pista "
        "ciclabile lungo il canale e per la scuola di via Roma, dopo tre ore di discussione."
    )
    articles = [
        {"id": "orig", "title": "Bilancio approvato", "body": story, "source": "ANSA"},
        {"id": "copy", "title": "Approvato il bilancio", "body": story, "source": "Il Post"},
    ]
    index = str(tmp_path / "index")
    source = write_jsonl(tmp_path / "copies.jsonl", articles)
    assert run("index", source, "--index", index, "-q").returncode == 0
    plain = json.loads(run("search", "--index", index, "--json", "bilancio").stdout)
    assert sorted(hit["id"] for hit in plain["hits"]) == ["copy", "orig"]
    folded = json.loads(run("search", "--index", index, "--json", "--collapse", "bilancio").stdout)
    assert len(folded["hits"]) == 1
    leader = folded["hits"][0]
    assert [ref["id"] for ref in leader["similar"]] == [({"orig", "copy"} - {leader["id"]}).pop()]
