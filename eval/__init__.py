"""Relevance and quality evaluation of Rassegna against plain Whoosh and tantivy baselines.

``python -m eval.run --corpus articles.jsonl --queries queries.jsonl`` builds every system's index
from the same article bodies, runs each query in two styles and writes ``eval/RESULTS.md``.
"""
