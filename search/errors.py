"""The exceptions the engine raises; each message says what to do next."""


class RassegnaError(Exception):
    """Base class for every error the engine reports to a person."""


class IndexNotFoundError(RassegnaError):
    """There is no built index where one was expected."""


class IndexVersionError(RassegnaError):
    """The index was built by an incompatible schema or analyzer version."""


class UnsafeIndexError(RassegnaError):
    """The index could be altered by other users (and Whoosh unpickles it): refused."""


class IndexLockedError(RassegnaError):
    """Another indexer holds the lock on the index directory."""


class BuildError(RassegnaError):
    """A build could not produce a valid index (nothing indexable, validation failed)."""


class QueryError(RassegnaError):
    """The query cannot be run as written; the message explains how to fix it."""


class ArticleNotFoundError(RassegnaError):
    """No article with the requested id is in the index."""


class ConfigError(RassegnaError):
    """A setting has a value Rassegna cannot use; the message names the variable."""
