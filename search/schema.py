"""The index schema and its version.

Bump ``SCHEMA_VERSION`` whenever fields change: an index built by another version refuses to open
with a "rebuild with `rassegna index`" message instead of returning wrong results.
"""

from __future__ import annotations

import itertools
import struct
import sys
from array import array

import numpy as np
from whoosh import formats
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, NUMERIC, STORED, TEXT, Schema

from search.analysis import exact_analyzer, italian_analyzer

# 3: source and author stored in their canonical form; 4: one weighted ranked ``text`` field
# (title, lead, body and byline as BM25F sections) and one-permutation MinHash signatures;
# 5: positions packed as numbers (PackedPositions) instead of pickled lists, and posting blocks
# of POSTING_BLOCK postings.
SCHEMA_VERSION = 5

# Postings per block of a posting list (Whoosh's default is 128). A news query reads whole
# lists of mid-frequency words (its own, the story step's): fewer, larger blocks cost less
# Python per posting to decode; a lookup at a few candidates decodes more, as arrays.
POSTING_BLOCK = 1024

_COUNT = struct.Struct("!I")  # Whoosh's pack_uint: a posting value's number of positions
_WIDE = 0x80000000  # set in the count: the deltas are 4 bytes each instead of 2
_BIG_ENDIAN = sys.byteorder == "big"  # the gaps are stored little-endian


class PackedPositions(formats.Positions):
    """Whoosh's ``Positions`` format with the positions as little-endian numbers instead of a
    pickled list: the count (Whoosh's 4-byte ``pack_uint``, so frequencies read as before), then
    the gaps between positions as 2-byte numbers (4-byte ones, flagged in the count, when a gap
    exceeds 65,535). A phrase check decodes thousands of values at once with numpy
    (:func:`decode_packed`) instead of a pickle load each; Whoosh's own readers go through
    :meth:`decode_positions` as with any format."""

    def encode(self, poslist) -> bytes:
        deltas = []
        base = 0
        for pos in poslist:
            deltas.append(pos - base)
            base = pos
        try:
            packed = array("H", deltas)  # OverflowError past 65,535
            wide = 0
        except OverflowError:
            packed = array("I", deltas)
            wide = _WIDE
        if _BIG_ENDIAN:
            packed.byteswap()
        return _COUNT.pack(len(deltas) | wide) + packed.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        (count,) = _COUNT.unpack_from(valuestring)
        packed = array("I" if count & _WIDE else "H")
        packed.frombytes(valuestring[4:])
        if _BIG_ENDIAN:
            packed.byteswap()
        return list(itertools.accumulate(packed))

    def decode_frequency(self, valuestring: bytes) -> int:
        return _COUNT.unpack_from(valuestring)[0] & ~_WIDE


def decode_packed(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """:class:`PackedPositions` values decoded at once: each value's number of positions, and
    all their positions in order (int64 arrays)."""
    blob = b"".join(values)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    firsts = (np.cumsum(lengths) - lengths) // 2  # where each value starts, in 2-byte units
    units = np.frombuffer(blob, dtype="<u2")
    if len(units) and (units[firsts] & 0x80).any():  # a wide value (the count's top byte)
        decoded = [PackedPositions().decode_positions(v) for v in values]
        counts = np.fromiter(map(len, decoded), dtype=np.int64, count=len(decoded))
        flat = itertools.chain.from_iterable(decoded)
        return counts, np.fromiter(flat, dtype=np.int64, count=int(counts.sum()))
    counts = lengths // 2 - 2
    keep = np.ones(len(units), dtype=bool)
    keep[firsts] = False
    keep[firsts + 1] = False
    deltas = units[keep].astype(np.int64)
    # Each value's positions are a running sum of its gaps: one cumulative sum over them all,
    # less what the values before it added.
    summed = np.cumsum(deltas)
    starts = np.cumsum(counts) - counts
    present = counts > 0
    before = np.zeros(len(counts), dtype=np.int64)
    before[present] = summed[starts[present]] - deltas[starts[present]]
    return counts, summed - np.repeat(before, counts)


def _packed(field: TEXT) -> TEXT:
    """A TEXT field with phrases whose positions are :class:`PackedPositions`."""
    field.format = PackedPositions(field_boost=field.format.field_boost)
    return field

# How many characters of the body count as the "lead" (first paragraph), a section of the ranked
# field with its own weight (FieldWeights.lead).
LEAD_CHARS = 400


def build_schema() -> Schema:
    """The schema of a Rassegna index.

    ``text`` is the one ranked field: a real title, the body and the byline, stemmed, each
    section weighted (BM25F, see ranking.FieldWeights); frequencies only, no positions. ``exact``
    holds a real title and the body unstemmed with stop words kept, with positions: quoted
    phrases, exact-form bonus, proximity, prefixes and spelling. ``title`` (stemmed, positions)
    serves ``title:`` filters; the body is stored for display and snippets.
    """
    italian = italian_analyzer()
    exact = exact_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        text=TEXT(analyzer=italian, phrase=False),
        title=_packed(TEXT(analyzer=italian, stored=True, phrase=True)),
        body=STORED,
        exact=_packed(TEXT(analyzer=exact, phrase=True)),
        author=_packed(TEXT(analyzer=exact, stored=True)),
        source=_packed(TEXT(analyzer=exact, stored=True)),
        # Exact display values, as columns: facets and filters.
        author_facet=ID(sortable=True),
        source_facet=ID(sortable=True),
        year=ID(sortable=True),
        date=DATETIME(stored=True, sortable=True),
        word_count=NUMERIC(stored=True),
        url=STORED,
        headings=STORED,  # positions of the body's paragraphs that are subheadings
        title_derived=STORED,
        content_hash=STORED,
        origin=STORED,
        # MinHash signature of the body's shingles, packed (see pack_signature): a column, so
        # grouping near-duplicates among hundreds of candidates never decompresses their bodies.
        dup_sig=COLUMN(VarBytesColumn()),
    )


def pack_signature(signature: tuple[int, ...]) -> bytes:
    """A near-duplicate signature as bytes for the ``dup_sig`` column."""
    return struct.pack(f"<{len(signature)}Q", *signature)


def unpack_signature(data: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(data) // 8}Q", data) if data else ()
