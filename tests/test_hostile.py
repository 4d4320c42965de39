"""A hostile corpus: every valid article is indexed, every bad item gets a report line.

Encodings (cp1252, latin-1, UTF-16, BOM, mojibake, mixed lines), NUL bytes, binary and empty
files, a 20 MB article, malformed JSON lines and CSV rows, duplicate ids, impossible dates, odd
front matter, odd file names, symlink loops and symlinked directories, control characters and
`javascript:` URLs in every field.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

from search.articles import Problem, read_sources
from search.indexer import build_index
from search.store import IndexHandle

READ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))  # random files read per test
WORD = "zanzara"  # every valid article holds it, so one search finds them all


def body(n: int | str) -> str:
    return f"La {WORD} numero {n} punge in città, perché è estate."


def jsonl_line(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def hostile_corpus(src: Path) -> tuple[set[str], list[str], int]:
    """Write the corpus; return the ids that must be indexed, the origins that must be
    reported (skipped or repaired), and how many hostile items it holds."""
    valid: set[str] = set()
    reported: list[str] = []
    hostile = 0

    # JSON lines: good lines around every kind of bad one.
    lines: list[bytes] = []
    for n in range(1, 101):
        lines.append(jsonl_line({"id": f"j{n}", "title": f"Titolo {n}", "body": body(n)}))
        valid.add(f"j{n}")
    bad_lines = [
        b'{"id": "x1", "body": ',  # truncated
        b"[1, 2, 3]",  # not an object
        b'"just a string"',
        b"{'id': 'x2', 'body': 'single quotes'}",
        b'{"id": "x3"}',  # no body
        b'{"id": "x4", "body": ["a", "b"]}',  # body not text
        b'{"id": "x5", "body": "   "}',
        b"\xff\xfe\x00garbage\x00\x01\x02",  # binary junk line
    ]
    repaired_lines = [
        jsonl_line({"id": "r1", "body": body("r1")}).replace(b'"body"', b'\x00"body"'),
        jsonl_line({"id": "r2", "body": body("r2")}).decode().encode("cp1252"),
        jsonl_line({"id": "r3", "body": body("r3").encode().decode("cp1252")}),  # mojibake
        jsonl_line({"id": "r4", "body": body("r4"), "date": "2023-02-30"}),  # impossible
        jsonl_line({"id": "r5", "body": body("r5"), "date": "31/31/2020"}),
        jsonl_line({"id": "r6", "body": body("r6"), "url": "javascript:alert(1)"}),
        jsonl_line({"id": "r7", "body": body("r7"), "url": "data:text/html,<b>x</b>"}),
        jsonl_line({"body": body("r8")}),  # no id: derived
        json.dumps({"id": "r9", "title": "\ud800\x00\x1b", "body": body("r9")}).encode(),
    ]
    for n, line in enumerate(bad_lines):
        lines.insert(10 * n + 5, line)
    for n, line in enumerate(repaired_lines):
        lines.insert(10 * n + 7, line)
    valid |= {f"r{n}" for n in range(1, 8)} | {"r9"}
    lines.append(jsonl_line({"id": "j1", "title": "Titolo 1 rivisto", "body": body("1 bis")}))
    lines.append(b"")
    write(src / "news.jsonl", b"\n".join(lines))
    hostile += len(bad_lines) + len(repaired_lines) + 1  # + the duplicate id

    # CSV: a good file with bad rows, a file without a body column, one cp1252 row.
    write(
        src / "rows.csv",
        "id,title,body,date\n"
        f'c1,Primo,"{body("c1")}",2024-01-01\n'
        "c2,Secondo,troppi,campi,qui\n"
        f'c3,Terzo,"{body("c3")}\nsu due righe",32/13/2024\n'
        'c4,Quarto,"virgolette non chiuse\n',
    )
    valid |= {"c1", "c3"}
    hostile += 3
    write(src / "nobody.csv", "id,title\nn1,Senza corpo\n")
    hostile += 1
    write(
        src / "mixed.csv",
        b"id,body\n"
        + f'm1,"{body("m1")}"\n'.encode()
        + f'm2,"{body("m2")}"\n'.encode("cp1252")
        + f'm3,"{body("m3")}"\n'.encode(),
    )
    valid |= {"m1", "m2", "m3"}
    hostile += 1

    # Text files in every encoding and state.
    write(src / "enc" / "cp1252.txt", body("cp1252").encode("cp1252"))
    write(src / "enc" / "latin1.txt", body("latin1").encode("latin-1"))
    write(src / "enc" / "utf16.txt", body("utf16").encode("utf-16"))
    write(src / "enc" / "bom.md", b"\xef\xbb\xbf" + body("bom").encode())
    write(src / "enc" / "mojibake.txt", body("mojibake").encode().decode("cp1252"))
    write(src / "enc" / "nul.txt", body("nul").encode().replace(b"punge", b"pun\x00ge"))
    write(
        src / "enc" / "mixedlines.md",
        (body("mixed") + "\n\n").encode() + "Perché sì, è così.".encode("cp1252"),
    )
    valid |= {"cp1252", "latin1", "utf16", "bom", "mojibake", "nul", "mixedlines"}
    hostile += 7
    write(src / "bad" / "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(512))
    write(src / "bad" / "binary.jsonl", b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    write(src / "bad" / "empty.txt", b"")
    write(src / "bad" / "blank.md", b" \n\t\n\r\n")
    write(src / "bad" / "boilerplate.txt", "Annuncio\n\nArticoli correlati\n")
    hostile += 5
    big = (body("big") + " ") * 400_000  # about 22 MB
    write(src / "big" / "huge.txt", big)
    write(src / "big" / "huge.jsonl", jsonl_line({"id": "hugej", "body": big}))
    valid |= {"huge", "hugej"}
    hostile += 2

    # Front matter, odd and broken.
    write(src / "fm" / "unclosed.md", f"---\ntitle: Non chiuso\nsource: Il Post\n\n{body('u')}")
    write(src / "fm" / "badlines.md", f"---\nid: fm-bad\n: vuota\nnon valida\n---\n{body('b')}")
    write(src / "fm" / "baddate.md", f"---\nid: fm-date\ndate: 2024-02-30\n---\n{body('d')}")
    write(src / "fm" / "slashid.md", f"---\nid: ../../etc/passwd\n---\n{body('s')}")
    write(src / "fm" / "emptyid.md", f"---\nid:\ntitle: Vuoto\n---\n{body('e')}")
    write(src / "fm" / "onlyfm.md", "---\nid: fm-only\ntitle: Solo intestazione\n---\n")
    write(
        src / "fm" / "danger.md",
        "---\nid: fm-danger\ntitle: <script>alert(1)</script>\x07\n"
        "url: javascript:alert(1)\nauthor: \x1b[31mRosso\x1b[0m\n---\n" + body("danger"),
    )
    valid |= {"unclosed", "fm-bad", "fm-date", "../../etc/passwd", "emptyid", "fm-danger"}
    hostile += 7

    # Odd file names and links.
    names = ["spazi e accenti è.txt", "-trattino.txt", "a\nriga.txt", "UPPER.TXT"]
    write(src / "names" / "vuoto\n.txt", b"")  # a bad file with a newline in its name
    names.append("x" * 200 + ".md")
    for name in names:
        write(src / "names" / name, body(name[:10]))
    valid |= {"spazi e accenti è", "-trattino", "a riga", "UPPER", "x" * 200}
    raw_name = os.fsencode(src / "names") + b"/nome\xff.txt"
    with open(raw_name, "wb") as out:
        out.write(body("raw").encode())
    valid.add("nome\ufffd")
    write(src / "names" / ".nascosto.txt", body("hidden"))  # hidden: ignored by design
    hostile += len(names) + 2
    (src / "links").mkdir()
    os.symlink(src / "links" / "loop", src / "links" / "loop")
    os.symlink(src / "nowhere.txt", src / "links" / "dangling.txt")
    os.symlink(src / "enc", src / "links" / "dir")
    os.symlink(src / "fm" / "badlines.md", src / "links" / "file.md")  # a link to a file: read
    write(src / "links" / "photo.png", b"\x89PNG\r\n\x1a\n")
    write(src / "links" / "data.json", b'{"id": "json"}')
    os.mkfifo(src / "links" / "fifo.txt")
    hostile += 7
    reported += [
        "news.jsonl:",
        "rows.csv:",
        "nobody.csv:",
        "mixed.csv:",
        "enc/cp1252.txt",
        "enc/latin1.txt",
        "enc/utf16.txt",
        "enc/bom.md",
        "enc/mojibake.txt",
        "enc/nul.txt",
        "enc/mixedlines.md",
        "bad/binary.txt",
        "bad/binary.jsonl",
        "bad/empty.txt",
        "bad/blank.md",
        "bad/boilerplate.txt",
        "big/huge.txt",
        "big/huge.jsonl",
        "fm/unclosed.md",
        "fm/badlines.md",
        "fm/baddate.md",
        "fm/onlyfm.md",
        "fm/danger.md",
        "links/loop",
        "links/dangling.txt",
        "links/dir",
        "links/photo.png",
        "links/data.json",
        "links/fifo.txt",
    ]
    return valid, reported, hostile


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    valid, reported, hostile = hostile_corpus(root / "src")
    report = build_index([root / "src"], root / "ix")
    return root, valid, reported, hostile, report


def test_every_valid_article_is_indexed(built):
    root, valid, _, hostile, report = built
    handle = IndexHandle(root / "ix")
    try:
        with handle.searcher() as searcher:
            stored = {f["id"]: f for f in searcher.all_stored_fields()}
    finally:
        handle.close()
    # news.jsonl:r8 has no id and gets one from the file and line.
    derived = [i for i in stored if i.startswith("news:")]
    assert len(derived) == 1
    assert set(stored) - set(derived) == valid
    assert report.doc_count == len(valid) + 1
    print(f"\nhostile inputs tried: {hostile}; valid articles: {len(valid) + 1}; lost: 0")
    # Duplicate ids keep the later one; impossible dates keep the article without a date.
    assert stored["j1"]["title"] == "Titolo 1 rivisto"
    assert "date" not in stored["r4"]
    # No field holds a control character or a dangerous URL.
    for fields in stored.values():
        for name in ("id", "title", "author", "source", "url"):
            value = fields.get(name) or ""
            assert value.isprintable(), (name, value)
        assert (fields.get("url") or "https:").startswith(("https:", "http:"))
    assert stored["fm-danger"]["author"] == "[31mRosso [0m"
    assert "url" not in stored["fm-danger"] and "url" not in stored["r6"]


def test_every_bad_item_is_reported(built):
    root, _, reported, _, report = built
    src = root / "src"
    origins = [p.origin for p in report.problems]
    for expected in reported:
        assert any(o.startswith(str(src / expected)) for o in origins), expected
    lines = {str(p) for p in report.problems}
    news = src / "news.jsonl"
    for line in [
        f"{news}:6: malformed JSON: Expecting value",
        f"{news}:8: NUL bytes removed",
        f"{news}:17: not a JSON object: got list",
        f"{news}:18: not valid UTF-8; line decoded as cp1252",
        f"{news}:28: mojibake repaired (UTF-8 once read as cp1252)",
        f"{news}:29: not a JSON object: got str",
        f"{news}:38: invalid date '2023-02-30'; kept without date",
        f"{news}:40: malformed JSON: Expecting property name enclosed in double quotes",
        f"{news}:51: missing body and title",
        f"{news}:58: url 'javascript:alert(1)' is not an http(s) link; dropped (the article "
        "is kept)",
        f"{news}:62: body is not text: got list",
        f"{news}:73: missing body and title",
        f"{news}:78: missing id; using 'news:78'",
        f"{news}:84: malformed JSON: Expecting value",
        f"{news}:1: duplicate id 'j1': kept the later one at {news}:118",
        f"{src / 'fm' / 'badlines.md'}: duplicate id 'fm-bad': kept the later one at "
        f"{src / 'links' / 'file.md'}",
        f"{src / 'rows.csv'}:3: malformed CSV row: 5 fields, header has 4",
        f"{src / 'rows.csv'}:4: invalid date '32/13/2024'; kept without date",
        f"{src / 'nobody.csv'}:1: CSV header has no 'body' or 'text' column",
        f"{src / 'mixed.csv'}:3: not valid UTF-8; line decoded as cp1252",
        f"{src / 'enc' / 'cp1252.txt'}: not valid UTF-8; decoded as cp1252",
        f"{src / 'enc' / 'utf16.txt'}: UTF-16 text; decoded",
        f"{src / 'enc' / 'bom.md'}: UTF-8 byte order mark removed",
        f"{src / 'enc' / 'nul.txt'}:1: NUL bytes removed",
        f"{src / 'enc' / 'mixedlines.md'}:3: not valid UTF-8; line decoded as cp1252",
        f"{src / 'bad' / 'binary.txt'}: binary file",
        f"{src / 'bad' / 'binary.jsonl'}: binary file",
        f"{src / 'bad' / 'empty.txt'}: empty file",
        f"{src / 'bad' / 'blank.md'}: empty file",
        f"{src / 'bad' / 'boilerplate.txt'}: missing body",
        f"{src / 'fm' / 'onlyfm.md'}: missing body",
        f"{src / 'fm' / 'baddate.md'}: invalid date '2024-02-30'; kept without date",
        f"{src / 'fm' / 'danger.md'}: url 'javascript:alert(1)' is not an http(s) link; "
        "dropped (the article is kept)",
        f"{src / 'links' / 'loop'}: symlink loop; skipped",
        f"{src / 'links' / 'dir'}: symlinked directory; not followed (give it as a source to "
        "read it)",
        f"{src / 'links' / 'fifo.txt'}: not a regular file; skipped",
        f"{src / 'names'}/vuoto\\n.txt: empty file",
    ]:
        assert line in lines, line
    # Each problem is one printable line a person can act on.
    assert all(str(p).isprintable() for p in report.problems)
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")  # --json can print it


def clean(text: str) -> bool:
    """No control, format, surrogate or private-use character and no non-character (XML-safe);
    characters this Python's Unicode tables do not know yet are allowed."""
    return all(
        unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
        and not (0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE)
        for ch in text
    )


def test_reading_never_raises_on_random_bytes(tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=READ_EXAMPLES, deadline=None, database=None)
    @given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".md", ".jsonl", ".csv"]))
    def read_any(data, suffix):
        path = tmp_path / f"random{suffix}"
        path.write_bytes(data)
        for item in read_sources(path):
            if isinstance(item, Problem):
                assert clean(str(item)), str(item)
            else:
                assert item.body.strip() and item.id
                for value in (item.id, item.title, item.author, item.source, item.url):
                    assert clean(value or ""), (value, item)

    read_any()


def test_reading_never_raises_on_random_json_records(tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    values = st.one_of(st.none(), st.text(max_size=30), st.integers(), st.lists(st.text()))
    fields = ["id", "title", "body", "text", "date", "source", "author", "url"]

    @settings(max_examples=READ_EXAMPLES, deadline=None, database=None)
    @given(records=st.lists(st.dictionaries(st.sampled_from(fields), values), max_size=5))
    def read_any(records):
        path = tmp_path / "random.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in records), "utf-8")
        for item in read_sources(path):
            if isinstance(item, Problem):
                assert clean(str(item)), str(item)
            else:
                for value in (item.id, item.title, item.author, item.source, item.url):
                    assert clean(value or ""), (value, item)
                assert (item.url or "https:").lower().startswith(("http:", "https:"))

    read_any()
