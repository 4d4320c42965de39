"""The search-box query language, parsed by hand into Whoosh queries.

Whoosh's default ``QueryParser`` is a denial-of-service vector (``*a*``, ``ro~2``, ranges over text
take seconds) and raises on inputs such as ``a NOT OR b``. This parser never refuses text: a pasted
headline or paragraph is always answered. Only these are operators; everything else (``?``, a ``*``
that is not a prefix, stray quotes, colons that name no field) is punctuation between plain words:

* ``words`` — stemmed, searched in title, body and byline (one weighted field);
* ``"quoted phrases"`` — matched as written, on the unstemmed ``exact`` field (an opening quote
  with no closing one is punctuation); among other words, a quotation's words also count as
  words (the phrase as written scores on top);
* ``-word`` / ``-"phrase"`` / ``NOT word`` — excluded (``-`` before a letter or a quote only:
  ``-5`` is a number);
* ``a OR b`` — either;
* ``source:``, ``author:``, ``title:`` (also ``fonte:``, ``autore:``, ``titolo:``) — field filters;
* ``negoz*`` — prefix of at least 3 letters at the end of a word, expanded to at most
  ``MAX_EXPANSIONS`` words.

Text over ``MAX_QUERY_WORDS`` words or ``MAX_QUERY_CHARS`` characters is answered on its beginning,
and the parsed query says so (``truncated``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq

from search.analysis import cached_exact_analyzer as exact_analyzer
from search.analysis import cached_italian_analyzer as italian_analyzer
from search.metadata import canonical_filter_value
from search.ranking import DEFAULT, RankingParams, exact_queries, proximity_queries, word_query
from search.suggest import SPELL_FIELD, Budget, corrections
from search.synonyms import Synonyms, spelling_key

MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 64
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
_FIELD = re.compile(r"([^\W\d_]+):(?=\S)")
_PREFIX_WORD = re.compile(rf"[^*?\"]*[^\W_]{{{MIN_PREFIX}}}\*")  # "negoz*", "l'ital*"
_PUNCTUATION = re.compile(r'[*?"]+')  # outside the operators above: between words
_WORD_END = re.compile(r"\S+")


@dataclass
class Clause:
    """One item of the query: a word, a phrase, a prefix, or a group of alternatives."""

    kind: str  # "word" | "phrase" | "prefix" | "any"
    text: str
    field_name: str | None = None  # "title" | "source" | "author" | None (all text fields)
    alternatives: list[Clause] = field(default_factory=list)  # for kind == "any"


@dataclass
class ParsedQuery:
    text: str  # what is searched (the beginning of the input when it was too long)
    clauses: list[Clause] = field(default_factory=list)  # scored; ranking counts how many match
    excluded: list[Clause] = field(default_factory=list)
    filters: list[Clause] = field(default_factory=list)  # source:/author:/title: — required
    truncated: str | None = None  # "words" | "characters": only the beginning was searched

    @property
    def is_empty(self) -> bool:
        return not (self.clauses or self.filters)


@dataclass
class _Token:
    negated: bool
    field_name: str | None  # canonical name, or None
    phrase: str | None = None
    word: str | None = None


def truncate(text: str) -> tuple[str, str | None]:
    """The first ``MAX_QUERY_WORDS`` words and ``MAX_QUERY_CHARS`` characters, and which cut."""
    cut = None
    ends = [m.end() for m in _WORD_END.finditer(text, 0, MAX_QUERY_CHARS + 1)]
    if len(ends) > MAX_QUERY_WORDS:
        text, cut = text[: ends[MAX_QUERY_WORDS - 1]], "words"
    elif len(text) > MAX_QUERY_CHARS:
        # End on the last whole word (a single 500-character "word" is cut where it must be).
        whole = [end for end in ends if end <= MAX_QUERY_CHARS]
        text, cut = text[: whole[-1] if whole else MAX_QUERY_CHARS], "characters"
    return text.rstrip(), cut


def _tokens(text: str):
    """Words and phrases with their ``-`` and ``field:`` markers; punctuation is dropped."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and (text[i + 1].isalpha() or text[i + 1] == '"')
        i += negated
        field_name = None
        named = _FIELD.match(text, i)
        if named and named.group(1).lower() in FIELD_ALIASES:
            field_name = FIELD_ALIASES[named.group(1).lower()]
            i = named.end()
        if text[i] == '"':
            close = text.find('"', i + 1)
            if close != -1:
                yield _Token(negated, field_name, phrase=text[i + 1 : close])
                i = close + 1
                continue
            i += 1  # an opening quote that never closes is punctuation
        end = i
        while end < n and not text[end].isspace():
            end += 1
        word = text[i:end]
        i = end
        if _PREFIX_WORD.fullmatch(word):
            yield _Token(negated, field_name, word=word)
            continue
        for part in _PUNCTUATION.split(word):
            if part:
                yield _Token(negated, field_name, word=part)


def parse(text: str) -> ParsedQuery:
    """Parse what a person typed or pasted; never refuses (too long: only its beginning)."""
    text = (text or "").translate(_QUOTES)
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    text, cut = truncate(text)
    parsed = ParsedQuery(text, truncated=cut)
    pending_or = False
    negate_next = False
    count = 0
    for token in _tokens(text):
        word, phrase, field_name = token.word, token.phrase, token.field_name
        negated = token.negated or negate_next
        negate_next = False
        if word is not None and field_name is None and not token.negated:
            if word == "OR":
                pending_or = bool(parsed.clauses)
                continue
            if word == "AND":
                continue
            if word == "NOT":
                negate_next = True
                continue
        clause = _make_clause(word, phrase, field_name)
        if clause is None:
            pending_or = False
            continue
        count += 1
        if count > MAX_CLAUSES:  # "a?b?c…": many words in few characters
            parsed.truncated = parsed.truncated or "words"
            break
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
    return parsed


def _make_clause(word: str | None, phrase: str | None, field_name: str | None) -> Clause | None:
    if phrase is not None:
        phrase = " ".join(_PUNCTUATION.sub(" ", phrase).split())
        return Clause("phrase", phrase, field_name) if phrase else None
    assert word is not None
    if word.endswith("*"):  # _tokens lets only valid prefixes through with their `*`
        return Clause("prefix", word[:-1], field_name)
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
    words: list[str] = field(default_factory=list)  # plain words as typed
    corrections: dict[str, list[str]] = field(default_factory=dict)  # typed word -> also searched
    fixes: dict[str, str] = field(default_factory=dict)  # unknown typed word -> best correction
    spelling: Budget = field(default_factory=Budget)  # work left for typo corrections
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


def compile_query(
    parsed: ParsedQuery,
    reader,
    params: RankingParams = DEFAULT,
    *,
    synonyms: Synonyms | None = None,
    typos: bool = True,
) -> Compiled:
    """Turn a parsed query into Whoosh queries against ``reader``'s index.

    Plain words also match their name variants (``synonyms``) and, when ``typos``, their closest
    indexed spellings (see :func:`_with_alternatives`).
    """
    out = Compiled([], None, None)
    variants = _variants_by_clause(parsed.clauses, synonyms)
    out.expansions, out.prefix_scan = prefix_budget(parsed)
    run: list[str] = []  # exact forms of consecutive plain words, for proximity boosts
    quotation = len(parsed.clauses) > 1
    for i, clause in enumerate(parsed.clauses):
        if quotation and clause.kind == "phrase" and clause.field_name is None:
            _compile_quotation(clause, reader, params, out)
            continue
        q = _compile_clause(clause, reader, params, out, scored=True)
        parts = [q]
        if q is not None and clause.kind == "word" and clause.field_name is None:
            q = _with_alternatives(q, clause.text, variants.get(i, []), reader, params, out, typos)
            parts = [q]
            if type(q) is wq.And and all(type(part) is wq.Term for part in q.subqueries):
                # A word the analyzer splits ("Crans-Montana", "covid-19", "2-2"): each part is
                # a word of the query, as the baselines read it, scored in the one fast pass.
                parts = list(q.subqueries)
        out.clauses.extend(part for part in parts if part is not None)
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


# ----------------------------------------------------------------------------- alternatives

# A typo correction counts this much of the word as typed: an article with the word as written
# ranks above one with a correction, and the correction never outweighs the query's other words.
CORRECTION_WEIGHT = 0.8


def _variants_by_clause(clauses: list[Clause], synonyms: Synonyms | None) -> dict[int, list[str]]:
    if not synonyms:
        return {}
    keys = [
        spelling_key(c.text) if c.kind == "word" and c.field_name is None else None
        for c in clauses
    ]
    return synonyms.match(keys)


def _spelling_query(
    text: str, weight: float, params: RankingParams, out: Compiled
) -> wq.Query | None:
    """Another spelling of a query word, weighted, with its exact-form boosts (score only)."""
    stems = _stems(text)
    out.stems.update(stems)
    parts = [word_query(s, params, boost=weight) for s in stems]
    if not parts:
        return None
    out.boosts.extend(
        b.with_boost(b.boost * weight) for b in exact_queries(_exact(text), params)
    )
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _matches_nothing(q: wq.Query, reader) -> bool:
    return all(reader.doc_frequency(f, t) == 0 for f, t in q.iter_all_terms())


def _with_alternatives(
    q: wq.Query,
    text: str,
    variants: list[str],
    reader,
    params: RankingParams,
    out: Compiled,
    typos: bool,
) -> wq.Query:
    """A plain word's query, or its name variants, or (down-weighted) its typo corrections."""
    alternatives = [
        a for v in variants if (a := _spelling_query(v, 1.0, params, out)) is not None
    ]
    forms = _exact(text)
    fixes = corrections(reader, forms[0], out.spelling) if typos and len(forms) == 1 else []
    typed_stems = set(_stems(text))
    alternatives += [
        a
        for fix in fixes
        # A correction with the typed word's stems is found already (riscritta/riscritto):
        # searching it again would only reorder the results of a correctly spelled word.
        if not set(_stems(fix)) <= typed_stems
        and (a := _spelling_query(fix, CORRECTION_WEIGHT, params, out)) is not None
    ]
    if fixes:
        out.corrections[text] = fixes
        if reader.doc_frequency(SPELL_FIELD, forms[0]) == 0:
            out.fixes[text] = fixes[0]
    if not alternatives:
        return q
    if _matches_nothing(q, reader):  # the typed spelling would only add an idf of nothing
        return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)
    return wq.Or([q, *alternatives])


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
