"""Rassegna's search engine: Italian news ingestion, analysis, indexing and search.

Nothing here opens an index at import time; callers pass an index directory.
"""
