"""The index schema and its version.

Bump ``SCHEMA_VERSION`` whenever fields change: an index built by another version refuses to open
with a "rebuild with `rassegna index`" message instead of returning wrong results.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema

from search.analysis import exact_analyzer, italian_analyzer

SCHEMA_VERSION = 1

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
        # MinHash signature of the body's shingles: near-duplicates are grouped at query time.
        dup_sig=STORED,
    )
