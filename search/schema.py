"""The index schema and its version.

Bump ``SCHEMA_VERSION`` whenever fields change: an index built by another version refuses to open
with a "rebuild with `rassegna index`" message instead of returning wrong results.
"""

from __future__ import annotations

import struct

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, NUMERIC, STORED, TEXT, Schema

from search.analysis import exact_analyzer, italian_analyzer

# 3: source and author stored in their canonical form; 4: one weighted ranked ``text`` field
# (title, lead, body and byline as BM25F sections) and one-permutation MinHash signatures.
SCHEMA_VERSION = 4

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
        title=TEXT(analyzer=italian, stored=True, phrase=True),
        body=STORED,
        exact=TEXT(analyzer=exact, phrase=True),
        author=TEXT(analyzer=exact, stored=True),
        source=TEXT(analyzer=exact, stored=True),
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
