"""The exceptions the engine reports; each message says what to do next, each has a stable code.

``code`` names the kind of error (API clients branch on it: ``bad_query``, ``not_found``, …);
``reason`` names the exact problem (``page_range``, ``bad_date``, …) and ``details`` hold the
values its message mentions, so an interface can say the same thing in another language.
"""

from __future__ import annotations

from typing import Any


class RassegnaError(Exception):
    """Base class for every error the engine reports to a person."""

    code = "error"

    def __init__(self, message: str, *, reason: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.reason = reason or self.code
        self.details = details


class IndexNotFoundError(RassegnaError):
    """There is no built index where one was expected."""

    code = "no_index"


class IndexVersionError(RassegnaError):
    """The index was built by an incompatible schema or analyzer version."""

    code = "index_version"


class UnsafeIndexError(RassegnaError):
    """The index could be altered by other users (and Whoosh unpickles it): refused."""

    code = "unsafe_index"


class IndexLockedError(RassegnaError):
    """Another indexer holds the lock on the index directory."""

    code = "index_locked"


class BuildError(RassegnaError):
    """A build could not produce a valid index (nothing indexable, validation failed)."""

    code = "build_failed"


class QueryError(RassegnaError):
    """The query cannot be run as written; the message explains how to fix it."""

    code = "bad_query"


class ArticleNotFoundError(RassegnaError):
    """No article with the requested id is in the index."""

    code = "not_found"


class ConfigError(RassegnaError):
    """A setting has a value Rassegna cannot use; the message names the variable."""

    code = "bad_config"
