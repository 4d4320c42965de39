"""The index schema and its version.

Bump ``SCHEMA_VERSION`` whenever fields change: an index built by another version refuses to open
with a "rebuild with `rassegna index`" message instead of returning wrong results.
"""

from __future__ import annotations

import struct

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, NUMERIC, STORED, TEXT, Schema

from search.analysis import exact_analyzer, italian_analyzer

SCHEMA_VERSION = 3  # 3: one-permutation MinHash signatures in dup_sig

# How many characters of the body count as the "lead" (first paragraph), indexed as its own field
# so ranking can weight it like a title when an article has none.
LEAD_CHARS = 400


def build_schema() -> Schema:
    """The schema of a Rassegna index.

    Text fields use the stemmed Italian analyzer; ``exact`` holds title and body unstemmed with
    stop words kept, for quoted phrases, exact proper names, prefixes and spelling suggestions.
    """
    italian = italian_analyzer()
    exact = exact_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=italian, stored=True, phrase=True),
        lead=TEXT(analyzer=italian, phrase=True),
        body=TEXT(analyzer=italian, stored=True, phrase=True),
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
