"""Positions packed as numbers (``PackedPositions``): Whoosh reads them as its own format, numpy
decodes thousands at once to the same positions, and every positional field of a real build
holds them in that one format."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.indexer import build_index
from search.schema import PackedPositions, build_schema, decode_packed
from search.store import IndexHandle
from tests.corpus import write_jsonl

FORMAT = PackedPositions()

positions = st.lists(st.integers(0, 200_000), max_size=40, unique=True).map(sorted)


@given(st.lists(positions, max_size=30))
@settings(max_examples=200, deadline=None)
def test_a_batch_decodes_to_each_values_positions(lists):
    values = [FORMAT.encode(p) for p in lists]
    assert [FORMAT.decode_positions(v) for v in values] == lists
    assert [FORMAT.decode_frequency(v) for v in values] == [len(p) for p in lists]
    counts, flat = decode_packed(values)
    assert counts.tolist() == [len(p) for p in lists]
    assert flat.tolist() == [x for p in lists for x in p]


def test_gaps_over_two_bytes_are_flagged_wide_and_read_back():
    small, wide = FORMAT.encode([3, 65_538]), FORMAT.encode([3, 65_539])
    assert small == struct.pack("!I", 2) + struct.pack("<2H", 3, 65_535)
    assert wide == struct.pack("!I", 2 | 0x80000000) + struct.pack("<2I", 3, 65_536)
    assert FORMAT.decode_positions(wide) == [3, 65_539]
    assert FORMAT.decode_frequency(wide) == 2
    counts, flat = decode_packed([small, wide, FORMAT.encode([7])])
    assert counts.tolist() == [2, 2, 1]
    assert flat.tolist() == [3, 65_538, 3, 65_539, 7]


def test_every_positional_field_is_packed():
    schema = build_schema()
    packed = sorted(name for name, f in schema.items() if isinstance(f.format, PackedPositions))
    assert packed == ["author", "exact", "source", "title"]


@pytest.mark.parametrize("author", ["Rossi", "Mario Rossi"])
def test_a_built_index_holds_packed_values_in_every_positional_field(tmp_path, author):
    # A one-word byline and a body starting with a word: the writer's cache of one-position
    # values once served one field's encoding to another.
    articles = [
        {"id": f"a{i}", "title": "Roma oggi", "body": f"Roma parla {i} volte.", "author": author}
        for i in range(3)
    ]
    build_index([write_jsonl(tmp_path / "a.jsonl", articles)], tmp_path / "ix")
    handle = IndexHandle(tmp_path / "ix")
    try:
        with handle.searcher() as searcher:
            reader = searcher.reader()
            checked = 0
            for fieldname in ("author", "exact", "source", "title"):
                for text in reader.lexicon(fieldname):
                    matcher = reader.postings(fieldname, text)
                    while matcher.is_active():
                        value = matcher.value()
                        (count,) = struct.unpack_from("!I", value)
                        assert len(value) == 4 + 2 * count  # packed, not pickled
                        counts, flat = decode_packed([value])
                        assert flat.tolist() == FORMAT.decode_positions(value)
                        assert counts.tolist() == [count]
                        checked += 1
                        matcher.next()
            assert checked > 5
            assert searcher.document_number(id="a0") is not None
    finally:
        handle.close()
