"""English wording for the CLI and build reports: counts with the right plural."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 article``, ``10,372 articles`` (``plural`` for irregular nouns)."""
    noun = singular if count == 1 else (plural or singular + "s")
    return f"{count:,} {noun}"
