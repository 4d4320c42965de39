"""The search-box query language, parsed by hand into Whoosh queries.

Whoosh's default ``QueryParser`` is a denial-of-service vector (``*a*``, ``ro~2``, ranges over text
take seconds) and raises on inputs such as ``a NOT OR b``. This parser accepts only what a search
box needs and treats everything else as plain words:

* ``words`` — stemmed, searched in title, body and byline (one weighted field);
* ``"quoted phrases"`` — matched as written, on the unstemmed ``exact`` field; among other words,
  a quotation's words also count as words (the phrase as written scores on top);
* ``-word`` / ``-"phrase"`` / ``NOT word`` — excluded;
* ``a OR b`` — either;
* ``source:``, ``author:``, ``title:`` (also ``fonte:``, ``autore:``, ``titolo:``) — field filters;
* ``negoz*`` — prefix of at least 3 letters, expanded to at most ``MAX_EXPANSIONS`` words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq

from search.analysis import cached_exact_analyzer as exact_analyzer
from search.analysis import cached_italian_analyzer as italian_analyzer
from search.errors import QueryError
from search.metadata import canonical_filter_value
from search.ranking import DEFAULT, RankingParams, exact_queries, proximity_queries, word_query

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 64
MIN_PREFIX = 3
MAX_EXPANSIONS = 50  # words one prefix expands to
MAX_PREFIX_SCAN = 5000  # indexed words one prefix looks at (alphabetically) to pick them
# Budgets of a whole query, shared by its prefixes ("con* pro* pre* …" x 64 took 6-8 s): each
# prefix gets an equal share, never less than the minimum.
MAX_QUERY_EXPANSIONS = 150
MIN_EXPANSIONS = 3
MAX_QUERY_PREFIX_SCAN = 6000
MIN_PREFIX_SCAN = 100

FIELD_ALIASES = {
    "source": "source",
    "fonte": "source",
    "author": "author",
    "autore": "author",
    "title": "title",
    "titolo": "title",
}

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_TOKEN = re.compile(
    r'(?P<neg>-)?(?:(?P<field>[^\W\d_]+):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))'
)
_WILDCARD = re.compile(r"[*?]")


@dataclass
class Clause:
    """One item of the query: a word, a phrase, a prefix, or a group of alternatives."""

    kind: str  # "word" | "phrase" | "prefix" | "any"
    text: str
    field_name: str | None = None  # "title" | "source" | "author" | None (all text fields)
    alternatives: list[Clause] = field(default_factory=list)  # for kind == "any"


@dataclass
class ParsedQuery:
    text: str
    clauses: list[Clause] = field(default_factory=list)  # scored; ranking counts how many match
    excluded: list[Clause] = field(default_factory=list)
    filters: list[Clause] = field(default_factory=list)  # source:/author:/title: — required

    @property
    def is_empty(self) -> bool:
        return not (self.clauses or self.filters)


def parse(text: str) -> ParsedQuery:
    """Parse what a person typed; raise :class:`QueryError` with a fix when it can't be run."""
    text = (text or "").translate(_QUOTES)
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"The query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS}. "
            "Shorten it to the words that matter.",
            reason="query_too_long",
            length=len(text),
            limit=MAX_QUERY_CHARS,
        )
    parsed = ParsedQuery(text)
    pending_or = False
    negate_next = False
    for match in _TOKEN.finditer(text):
        word, phrase = match.group("word"), match.group("phrase")
        field_name = match.group("field")
        negated = bool(match.group("neg")) or negate_next
        negate_next = False
        if word is not None and field_name is None and not match.group("neg"):
            if word == "OR":
                pending_or = bool(parsed.clauses)
                continue
            if word == "AND":
                continue
            if word == "NOT":
                negate_next = True
                continue
        if field_name is not None and field_name.lower() not in FIELD_ALIASES:
            # "ore 5:30", "http://…": not a field filter, just words.
            word = f"{field_name} {word}" if word is not None else None
            if phrase is not None:
                phrase = f"{field_name} {phrase}"
            field_name = None
        clause = _make_clause(word, phrase, FIELD_ALIASES.get((field_name or "").lower()))
        if clause is None:
            pending_or = False
            continue
        if negated:
            parsed.excluded.append(clause)
        elif clause.field_name is not None:
            parsed.filters.append(clause)
        elif pending_or and parsed.clauses:
            previous = parsed.clauses.pop()
            alternatives = previous.alternatives if previous.kind == "any" else [previous]
            parsed.clauses.append(
                Clause("any", f"{previous.text} OR {clause.text}", None, alternatives + [clause])
            )
        else:
            parsed.clauses.append(clause)
        pending_or = False
    if len(parsed.clauses) + len(parsed.excluded) + len(parsed.filters) > MAX_CLAUSES:
        raise QueryError(
            f"The query has more than {MAX_CLAUSES} words; keep the ones that matter.",
            reason="too_many_words",
            limit=MAX_CLAUSES,
        )
    return parsed


def _make_clause(word: str | None, phrase: str | None, field_name: str | None) -> Clause | None:
    if phrase is not None:
        phrase = phrase.strip()
        if not phrase:
            return None
        if _WILDCARD.search(phrase.replace("?", "")) and "*" in phrase:
            raise QueryError(
                'Wildcards do not work inside "quoted phrases"; remove the `*`.',
                reason="wildcard_in_phrase",
            )
        return Clause("phrase", phrase, field_name)
    assert word is not None
    if "*" in word or "?" in word:
        stem = word.rstrip("*")
        if _WILDCARD.search(stem) or not word.endswith("*"):
            raise QueryError(
                f"`{word}`: wildcards work only at the end of a word (`negoz*`); "
                "`?` and leading or inner `*` are not supported.",
                reason="bad_wildcard",
                word=word,
            )
        letters = sum(ch.isalnum() for ch in stem)
        if letters < MIN_PREFIX:
            raise QueryError(
                f"`{word}`: a prefix search needs at least {MIN_PREFIX} letters before the `*`.",
                reason="short_prefix",
                word=word,
                minimum=MIN_PREFIX,
            )
        return Clause("prefix", stem, field_name)
    if not any(ch.isalnum() for ch in word):
        return None
    return Clause("word", word, field_name)


# ----------------------------------------------------------------------------- compiling


@dataclass
class Compiled:
    """A parsed query turned into Whoosh queries, plus what the highlighter needs."""

    clauses: list[wq.Query]  # one per scored clause (None-free)
    excluded: wq.Query | None
    filter: wq.Query | None
    stems: set[str] = field(default_factory=set)  # stemmed terms to highlight
    exact: set[str] = field(default_factory=set)  # unstemmed words to highlight (prefix expansions)
    phrases: list[list[str]] = field(default_factory=list)  # exact token sequences to highlight
    words: list[str] = field(default_factory=list)  # plain words as typed (spelling suggestions)
    boosts: list[wq.Query] = field(default_factory=list)  # score-only (proximity); never required
    expansions: int = MAX_EXPANSIONS  # words each prefix of this query may expand to
    prefix_scan: int = MAX_PREFIX_SCAN  # indexed words each prefix may look at

    @property
    def scored(self) -> wq.Query:
        if not self.clauses:
            return wq.Every()
        parts = self.clauses + self.boosts
        return parts[0] if len(parts) == 1 else wq.Or(parts)


def _stems(text: str) -> list[str]:
    return [t.text for t in italian_analyzer()(text)]


def _exact(text: str) -> list[str]:
    return [t.text for t in exact_analyzer()(text)]


def compile_query(parsed: ParsedQuery, reader, params: RankingParams = DEFAULT) -> Compiled:
    """Turn a parsed query into Whoosh queries against ``reader``'s index."""
    out = Compiled([], None, None)
    out.expansions, out.prefix_scan = prefix_budget(parsed)
    run: list[str] = []  # exact forms of consecutive plain words, for proximity boosts
    quotation = len(parsed.clauses) > 1
    for clause in parsed.clauses:
        if quotation and clause.kind == "phrase" and clause.field_name is None:
            _compile_quotation(clause, reader, params, out)
            continue
        q = _compile_clause(clause, reader, params, out, scored=True)
        if q is not None:
            out.clauses.append(q)
        if clause.kind == "word" and clause.field_name is None:
            run.extend(_exact(clause.text))
            if q is not None:
                out.boosts.extend(exact_queries(_exact(clause.text), params))
        else:
            out.boosts.extend(proximity_queries(run, params))
            run = []
    out.boosts.extend(proximity_queries(run, params))
    budget = Compiled([], None, None, expansions=out.expansions, prefix_scan=out.prefix_scan)
    excluded = [
        q for c in parsed.excluded if (q := _compile_clause(c, reader, params, budget)) is not None
    ]
    out.excluded = wq.Or(excluded) if excluded else None
    filters = [
        q for c in parsed.filters if (q := _compile_clause(c, reader, params, out)) is not None
    ]
    out.filter = wq.And(filters) if filters else None
    if parsed.clauses and not out.clauses:
        # Only stop words ("il che"): search them as written rather than return nothing.
        words = [w for c in parsed.clauses for w in _exact(c.text)]
        if words:
            out.clauses.append(wq.And([wq.Term("exact", w) for w in words]))
            out.exact.update(words)
    return out


def _compile_quotation(clause: Clause, reader, params: RankingParams, out: Compiled) -> None:
    """A quoted phrase among other words: its words score like the others, the phrase is a bonus.

    A pasted headline quotes someone (« », “ ”) more often than a person types an operator there:
    the article paraphrases the quotation, and the quoted words still say what it is about. Found
    as written, the phrase adds its score on top. A quoted phrase alone is matched as written.
    """
    for stem in _stems(clause.text):
        out.clauses.append(word_query(stem, params))
        out.stems.add(stem)
    out.boosts.extend(exact_queries(_exact(clause.text), params))
    phrase = _compile_clause(clause, reader, params, out)
    if phrase is not None:
        out.boosts.append(phrase)


def _compile_clause(
    clause: Clause, reader, params: RankingParams, out: Compiled, scored: bool = False
) -> wq.Query | None:
    if clause.kind == "any":
        parts = [q for c in clause.alternatives if (q := _compile_clause(c, reader, params, out))]
        return wq.Or(parts) if parts else None
    if clause.field_name in ("source", "author"):
        # "source:repubblica.it" finds "la Repubblica": the value is spelled as the index stores it.
        text = clause.text
        if clause.kind != "prefix":
            text = canonical_filter_value(clause.field_name, text)
        words = _exact(text)
        if not words:
            return None
        if clause.kind == "prefix":
            return _prefix(clause.field_name, words[-1], reader, out.expansions, out.prefix_scan)
        return (
            wq.Phrase(clause.field_name, words)
            if len(words) > 1
            else wq.Term(clause.field_name, words[0])
        )
    if clause.kind == "phrase":
        words = _exact(clause.text)
        if not words:
            return None
        if clause.field_name == "title":
            toks = [(t.text, t.pos) for t in italian_analyzer()(clause.text, positions=True)]
            if not toks:
                return None
            stems = [text for text, _ in toks]
            out.stems.update(stems)
            if len(stems) == 1:
                return wq.Term("title", stems[0])
            # Stop words leave position gaps in the stemmed field: allow exactly those.
            gaps = toks[-1][1] - toks[0][1] - (len(toks) - 1)
            return wq.Phrase("title", stems, slop=1 + gaps)
        out.phrases.append(words)
        return wq.Phrase("exact", words) if len(words) > 1 else wq.Term("exact", words[0])
    if clause.kind == "prefix":
        words = _exact(clause.text)
        if not words or len(words[-1]) < MIN_PREFIX:
            return None
        q = _prefix("exact", words[-1], reader, out.expansions, out.prefix_scan)
        if isinstance(q, wq.Or):
            out.exact.update(t.text for t in q.subqueries)
        return q
    # A plain word (it may analyze to several tokens: "covid-19", or to none: a stop word).
    stems = _stems(clause.text)
    if not stems:
        return None
    out.stems.update(stems)
    if scored:
        out.words.append(clause.text)
    if clause.field_name == "title":
        parts = [wq.Term("title", s) for s in stems]
    else:
        parts = [word_query(s, params) for s in stems]
    return parts[0] if len(parts) == 1 else wq.And(parts)


def prefix_budget(parsed: ParsedQuery) -> tuple[int, int]:
    """Words each prefix of ``parsed`` may expand to, and indexed words it may look at."""
    clauses = [*parsed.clauses, *parsed.excluded, *parsed.filters]
    prefixes = sum(1 for c in clauses for part in (c.alternatives or [c]) if part.kind == "prefix")
    if not prefixes:
        return MAX_EXPANSIONS, MAX_PREFIX_SCAN
    return (
        max(MIN_EXPANSIONS, min(MAX_EXPANSIONS, MAX_QUERY_EXPANSIONS // prefixes)),
        max(MIN_PREFIX_SCAN, min(MAX_PREFIX_SCAN, MAX_QUERY_PREFIX_SCAN // prefixes)),
    )


def _prefix(
    fieldname: str,
    prefix: str,
    reader,
    expansions: int = MAX_EXPANSIONS,
    scan: int = MAX_PREFIX_SCAN,
) -> wq.Query:
    """An OR of the most frequent words starting with ``prefix`` (bounded; never a scan of all).

    Looks at no more than ``scan`` indexed words (in alphabetical order) and keeps the
    ``expansions`` most frequent; the term list gives each word's frequency as it goes.
    """
    found: list[tuple[int, str]] = []
    for i, (term, info) in enumerate(reader.iter_prefix(fieldname, prefix)):
        if i >= scan:
            break
        text = term.decode("utf-8") if isinstance(term, bytes) else term
        found.append((info.doc_frequency(), text))
    found.sort(key=lambda pair: (-pair[0], pair[1]))
    terms = [wq.Term(fieldname, text) for _, text in found[:expansions]]
    if not terms:
        return wq.NullQuery
    return wq.Or(terms)
