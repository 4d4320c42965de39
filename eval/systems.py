"""The systems under evaluation: Rassegna's real indexer and search core, and three baselines.

Every system indexes the same corpus with its titles removed (the queries are headlines): the
baselines index each article's body; Rassegna indexes the records as a user would give them. Each
answers a raw query string with a ranked list of ids. A query a system cannot parse raises
:class:`QueryFailed` and counts as a miss.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from search.articles import Article
from search.errors import QueryError
from search.indexer import build_index
from search.ranking import DEFAULT, FIELD_WEIGHTS, FieldWeights, RankingParams
from search.searcher import search
from search.store import IndexHandle


class QueryFailed(Exception):
    """The system rejected the query (a parse error): scored as a miss and counted."""


class System:
    """A search system: build an index into a directory, then answer queries with ids."""

    name = "system"

    def build(self, articles: Sequence[Article], corpus: Path, directory: Path) -> float:
        """Build from scratch into ``directory``; return the seconds it took."""
        raise NotImplementedError

    def open(self, directory: Path) -> None:
        """Open an index built earlier into ``directory`` (cached builds)."""
        raise NotImplementedError

    def search(self, query: str, k: int = 10) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the index."""


class Rassegna(System):
    """The real indexer and the real ``search()`` core (the API's defaults unless told)."""

    def __init__(
        self,
        params: RankingParams = DEFAULT,
        *,
        collapse: bool = False,
        procs: int = 1,
        name: str = "rassegna",
        field_weights: FieldWeights = FIELD_WEIGHTS,
    ):
        self.params = params
        self.field_weights = field_weights
        self.collapse = collapse
        self.procs = procs
        self.name = name
        self.handle: IndexHandle | None = None

    def build(self, articles, corpus, directory):
        started = time.perf_counter()
        build_index([corpus], directory, procs=self.procs, field_weights=self.field_weights)
        seconds = time.perf_counter() - started
        self.open(directory)
        return seconds

    def open(self, directory):
        self.handle = IndexHandle(directory)

    def with_params(self, params: RankingParams, collapse: bool | None = None) -> Rassegna:
        """The same index searched with other ranking parameters."""
        other = Rassegna(
            params, collapse=self.collapse if collapse is None else collapse, procs=self.procs
        )
        other.handle = self.handle
        return other

    def search(self, query, k=10):
        assert self.handle is not None
        try:
            result = search(
                self.handle,
                query,
                size=k,
                params=self.params,
                collapse=self.collapse,
                with_facets=False,
                with_snippets=False,
            )
        except QueryError as exc:
            raise QueryFailed(str(exc)) from exc
        return [hit.id for hit in result.hits]

    def close(self):
        if self.handle is not None and hasattr(self.handle, "close"):
            self.handle.close()


class WhooshBaseline(System):
    """Whoosh out of the box: ``LanguageAnalyzer("it")`` on the body, BM25F, ``QueryParser``."""

    def __init__(self, *, conjunctive: bool, procs: int = 1):
        self.conjunctive = conjunctive
        self.procs = procs
        self.name = "whoosh-and" if conjunctive else "whoosh-or"
        self.ix = None
        self.searcher = None
        self.parser = None

    @staticmethod
    def _schema():
        from whoosh.analysis import LanguageAnalyzer
        from whoosh.fields import ID, TEXT, Schema

        return Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=LanguageAnalyzer("it")))

    def build(self, articles, corpus, directory):
        import whoosh.index

        started = time.perf_counter()
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        ix = whoosh.index.create_in(str(directory), self._schema())
        kwargs = {"limitmb": 256}
        if self.procs > 1:
            kwargs.update(procs=self.procs, multisegment=True)
        writer = ix.writer(**kwargs)
        for article in articles:
            writer.add_document(id=article.id, body=article.body)
        writer.commit()
        ix.close()
        seconds = time.perf_counter() - started
        self.open(directory)
        return seconds

    def open(self, directory):
        import whoosh.index
        from whoosh.qparser import AndGroup, OrGroup, QueryParser

        self.ix = whoosh.index.open_dir(str(directory))
        self.searcher = self.ix.searcher()  # BM25F(B=0.75, K1=1.2), Whoosh's default
        group = AndGroup if self.conjunctive else OrGroup
        self.parser = QueryParser("body", self.ix.schema, group=group)

    def search(self, query, k=10):
        try:
            parsed = self.parser.parse(query)
        except Exception as exc:  # noqa: BLE001 - any parser failure is a miss, counted
            raise QueryFailed(str(exc)) from exc
        return [hit["id"] for hit in self.searcher.search(parsed, limit=k)]

    def shared(self, *, conjunctive: bool) -> WhooshBaseline:
        """The same index with the other default operator."""
        from whoosh.qparser import AndGroup, OrGroup, QueryParser

        other = WhooshBaseline(conjunctive=conjunctive, procs=self.procs)
        other.ix, other.searcher = self.ix, self.searcher
        group = AndGroup if conjunctive else OrGroup
        other.parser = QueryParser("body", self.ix.schema, group=group)
        return other

    def close(self):
        if self.searcher is not None:
            self.searcher.close()
            self.ix.close()
            self.searcher = None


TANTIVY_ANALYZER = "italian_stem"
_NOT_A_WORD = re.compile(r"\W+")  # punctuation and every kind of space (tantivy splits on ASCII)


class TantivyBaseline(System):
    """tantivy: simple tokenizer, lowercase, Italian stop words and stemmer; the words, OR."""

    name = "tantivy"

    def __init__(self):
        self.index = None
        self.searcher = None

    @staticmethod
    def _analyzer():
        import tantivy

        return (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stopword("italian"))
            .filter(tantivy.Filter.stemmer("italian"))
            .build()
        )

    @staticmethod
    def _schema():
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("body", stored=False, tokenizer_name=TANTIVY_ANALYZER)
        return builder.build()

    def build(self, articles, corpus, directory):
        import tantivy

        started = time.perf_counter()
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        index = tantivy.Index(self._schema(), path=str(directory))
        index.register_tokenizer(TANTIVY_ANALYZER, self._analyzer())
        writer = index.writer(heap_size=256_000_000, num_threads=1)
        for article in articles:
            writer.add_document(tantivy.Document(id=article.id, body=article.body))
        writer.commit()
        writer.wait_merging_threads()
        seconds = time.perf_counter() - started
        self.open(directory)
        return seconds

    def open(self, directory):
        import tantivy

        self.index = tantivy.Index(self._schema(), path=str(directory), reuse=True)
        self.index.register_tokenizer(TANTIVY_ANALYZER, self._analyzer())
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, query, k=10):
        # The query's words, OR: tantivy's simple tokenizer splits on anything that is not a
        # letter or digit anyway, and its query syntax (`:`, `|`, quotes, `-`) would refuse two
        # thirds of p1va's pasted headlines (its lenient mode drops a clause's words with it).
        # Lowercased (as the tokenizer does): "AND", "OR", "NOT" in a headline are words too.
        words = _NOT_A_WORD.sub(" ", query).lower()
        if not words.strip():
            return []
        try:
            parsed = self.index.parse_query(words, ["body"])
        except ValueError as exc:
            raise QueryFailed(str(exc)) from exc
        hits = self.searcher.search(parsed, k).hits
        return [self.searcher.doc(address)["id"][0] for _score, address in hits]


def variant(system: Rassegna, **changes) -> Rassegna:
    """``system`` searched with some ranking parameters changed."""
    return system.with_params(replace(system.params, **changes))
