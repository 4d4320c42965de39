"""Ranking behaviours the engine relies on, on real on-disk indexes of small corpora."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from whoosh import query as wq
from whoosh.scoring import bm25

from search.accumulate import Lengths
from search.analysis import italian_analyzer
from search.indexer import build_index
from search.ranking import (
    DEFAULT,
    FIELD_WEIGHTS,
    RankingParams,
    exact_queries,
    feedback_terms,
    proximity_queries,
    ranked_searcher,
    rerank,
    story_terms,
)
from search.searcher import search
from search.store import IndexHandle

FILLER = "Il servizio continua nelle prossime ore con altri aggiornamenti dalla redazione."

# A dozen local news stories; bodies only (titles are left out of the index below).
STORIES = {
    "n1": "Incendio in un capannone artigianale a Carpi: le fiamme hanno distrutto il tetto, "
    "nessun ferito. I vigili del fuoco sono rimasti sul posto fino all'alba.",
    "n2": "Furto con spaccata in una tabaccheria del centro di Modena: i ladri hanno usato "
    "un'auto come ariete e sono fuggiti con le sigarette.",
    "n3": "Carta di credito rubata usata per fare benzina: tre denunciati a Sassuolo dopo "
    "le verifiche dei carabinieri sulle telecamere del distributore.",
    "n4": "Il consiglio comunale di Mirandola approva il bilancio: via libera al nuovo "
    "asilo nido e alla pista ciclabile lungo la provinciale.",
    "n5": "Cantiere in viale Italia per la nuova pista ciclabile: traffico deviato per due "
    "settimane, i commercianti protestano per i parcheggi.",
    "n6": "Studentessa respinta allo sportello della banca perché non parla italiano: la "
    "denuncia dell'associazione degli studenti stranieri.",
    "n7": "Ladri di rame sui binari della linea Modena-Sassuolo: treni fermi per ore e "
    "disagi per pendolari e studenti.",
    "n8": "Truffa agli anziani: finto tecnico del gas entra in casa e ruba i gioielli di "
    "una pensionata di Vignola.",
    "n9": "Nevicata sull'Appennino: strade chiuse a Pievepelago, spazzaneve al lavoro tutta "
    "la notte e scuole chiuse lunedì.",
    "n10": "Il Modena vince in trasferta e torna in zona playoff: decide un gol nel secondo "
    "tempo, festa dei tifosi al rientro.",
    "n11": "Rapina in farmacia a Formigine: il bandito armato di taglierino si fa consegnare "
    "l'incasso e scappa a piedi.",
    "n12": "Incidente stradale sulla tangenziale: due auto coinvolte, un ferito lieve portato "
    "al pronto soccorso in ambulanza.",
}


def write(path, bodies: dict[str, str]):
    rows = [{"id": k, "title": None, "body": v} for k, v in bodies.items()]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def open_index(root, bodies: dict[str, str]) -> IndexHandle:
    build_index([write(root / "news.jsonl", bodies)], root / "index", include_titles=False)
    return IndexHandle(root / "index")


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    handle = open_index(tmp_path_factory.mktemp("news"), STORIES)
    yield handle
    handle.close()


def ids(handle, query, params=DEFAULT):
    result = search(
        handle, query, params=params, collapse=False, with_facets=False, with_snippets=False
    )
    return [hit.id for hit in result.hits]


@pytest.mark.parametrize(
    ("headline", "article"),
    [
        ("Carta rubata per la benzina, nei guai tre denunciati", "n3"),
        ("Cantiere in viale Italia per una pista ciclabile", "n5"),
        ("Ladri di rame sui binari: treni paralizzati e disagi per pendolari", "n7"),
        ("Studentessa rimbalzata dalla banca: «non parli italiano»", "n6"),
        ('Rapina in farmacia a Formigine - "consegnami l\'incasso"', "n11"),
    ],
)
def test_a_pasted_headline_finds_its_article_first(news, headline, article):
    assert ids(news, headline)[0] == article


def test_pasted_punctuation_does_not_break_the_query(news):
    assert ids(news, 'Carpi: incendio - "capannone')[0] == "n1"


def test_partial_matches_are_returned_when_a_word_is_nowhere(news):
    # "elicottero" is in no article: the others still find the story, then partial matches.
    found = ids(news, "incendio capannone Carpi vigili fuoco elicottero")
    assert found[0] == "n1"
    assert found == ["n1"]  # no other article shares any of these words


def test_all_words_outrank_one_word_repeated(tmp_path):
    handle = open_index(
        tmp_path,
        {
            "both": "Il sindaco ha parlato della frana ieri sera in consiglio. " + FILLER,
            "one": "Il sindaco, il sindaco e ancora il sindaco: il sindaco ha parlato ieri. "
            + FILLER,
            "other": "Una notizia che non riguarda nessuno dei due argomenti di oggi. " + FILLER,
        },
    )
    try:
        assert ids(handle, "sindaco frana") == ["both", "one"]
        # Strict coordination (all words first, then partial matches) gives the same order.
        strict = replace(DEFAULT, coordination_mode="count")
        assert ids(handle, "sindaco frana", strict) == ["both", "one"]
    finally:
        handle.close()


def test_exact_form_breaks_a_tie_between_words_with_the_same_stem(tmp_path):
    handle = open_index(
        tmp_path,
        {
            "other-form": "Ripresi ieri i negoziato sul contratto dei metalmeccanici. " + FILLER,
            "same-form": "Ripresi ieri i negoziati sul contratto dei metalmeccanici. " + FILLER,
        },
    )
    try:
        assert ids(handle, "negoziati") == ["same-form", "other-form"]
        assert ids(handle, "negoziato") == ["other-form", "same-form"]
    finally:
        handle.close()


def test_proximity_boost_prefers_the_words_together(tmp_path):
    handle = open_index(
        tmp_path,
        {
            "apart": "La pista di atletica è chiusa; lungo il fiume si progetta un percorso "
            "ciclabile. " + FILLER,
            "together": "La pista ciclabile lungo il fiume è chiusa; di atletica si parlerà "
            "più avanti. " + FILLER,
        },
    )
    try:
        near = RankingParams(proximity_boost=1.0, proximity_slop=1)
        assert ids(handle, "pista ciclabile", near) == ["together", "apart"]
        # Off (the default), both hold each word once in bodies of the same length: a tie.
        result = search(handle, "pista ciclabile", collapse=False, with_facets=False)
        assert len({round(hit.score, 6) for hit in result.hits}) == 1
        # Word order counts: "ciclabile pista" is not a pair found in either body.
        reverse = search(handle, "ciclabile pista", params=near, with_facets=False)
        assert len({round(hit.score, 6) for hit in reverse.hits}) == 1
    finally:
        handle.close()


def test_exact_and_proximity_queries_are_built_only_when_enabled():
    off = RankingParams(exact_boost=0.0, proximity_boost=0.0)
    assert exact_queries(["negoziati"], off) == []
    assert proximity_queries(["pista", "ciclabile"], off) == []
    on = RankingParams(exact_boost=1.0, proximity_boost=0.5, proximity_slop=3)
    assert exact_queries(["la", "negoziati"], on) == [wq.Term("exact", "negoziati", boost=1.0)]
    # Exact forms on the positional ``exact`` field; stop words are not pair members.
    assert proximity_queries(["pista", "ciclabile", "la", "pista", "ciclabile"], on) == [
        wq.Phrase("exact", ["pista", "ciclabile"], slop=3, boost=0.5),
        wq.Phrase("exact", ["ciclabile", "pista"], slop=3, boost=0.5),
    ]


def test_rerank_modes(news):
    clauses = [wq.Term("text", "incend"), wq.Term("text", "carp")]
    with news.searcher() as searcher:
        n1 = searcher.document_number(id="n1")
        n2 = searcher.document_number(id="n2")
        ranked = [(n2, 10.0), (n1, 4.0)]  # n2 matches neither clause, n1 both
        assert rerank(searcher, clauses, ranked, RankingParams(coordination_mode="count")) == [
            (n1, 4.0),
            (n2, 10.0),
        ]
        assert rerank(searcher, clauses, ranked, RankingParams(coordination_mode="soft")) == [
            (n1, 4.0),
            (n2, 0.0),
        ]
        assert rerank(searcher, clauses, ranked, RankingParams(coordination=False)) == ranked
        with pytest.raises(ValueError, match="coordination_mode"):
            rerank(searcher, clauses, ranked, RankingParams(coordination_mode="bogus"))


def test_idf_weighted_soft_coordination_charges_missing_rare_words_more(tmp_path):
    # "furto" is in every article, "gioielleria" in two: lacking the rare word costs more.
    bodies = {
        "both": "Furto in gioielleria nel centro.",
        "rare": "Gioielleria chiusa per ferie.",
        **{f"f{i}": f"Furto di biciclette numero {i}." for i in range(10)},
    }
    handle = open_index(tmp_path, bodies)
    clauses = [wq.Term("text", "furt"), wq.Term("text", "gioieller")]
    with handle.searcher() as searcher:
        rare = searcher.document_number(id="rare")
        common = searcher.document_number(id="f0")
        both = searcher.document_number(id="both")
        ranked = [(rare, 1.0), (common, 1.0), (both, 1.0)]
        out = dict(rerank(searcher, clauses, ranked, RankingParams(coordination_mode="soft-idf")))
        plain = dict(rerank(searcher, clauses, ranked, RankingParams(coordination_mode="soft")))
    assert out[both] == 1.0
    assert out[rare] > 0.75 > 0.25 > out[common]  # idf shares, not halves
    assert plain[rare] == plain[common] == 0.5
    assert RankingParams().coordination_mode == "soft-idf"
    handle.close()


# "first" tells the story with the query's words; "same" is another outlet's article on the same
# fire (it names the firm, the town and the owner, not the "capannone"); "other" is a different
# fire, short, so BM25F puts it above "same" on the one word both hold. Forty other articles: a
# story word is in at most 1 in 20 documents.
STORY = {
    "first": "Incendio nel capannone della Ferrolegno a Carpi: il capannone è distrutto, "
    "il titolare Bonacini parla di danni per un milione.",
    "same": "Ferrolegno, Bonacini conta i danni dopo l'incendio della notte a Carpi: un "
    "milione di euro, dice, e quaranta operai che ora temono per il posto di lavoro, "
    "mentre i vigili del fuoco completano la bonifica dell'area.",
    "other": "Incendio di sterpaglie lungo la ferrovia a Vignola.",
    **{f"f{i}": f"Cronaca del giorno numero {i}. {FILLER}" for i in range(40)},
}


def test_the_story_step_lifts_another_article_on_the_best_hits_story(tmp_path):
    handle = open_index(tmp_path, STORY)
    try:
        no_story = replace(DEFAULT, story_weight=0.0)
        assert ids(handle, "incendio capannone", no_story) == ["first", "other", "same"]
        assert ids(handle, "incendio capannone") == ["first", "same", "other"]
        result = search(handle, "incendio capannone", collapse=False, with_facets=False)
        scores = [hit.score for hit in result.hits]
        assert scores == sorted(scores, reverse=True)  # the best hit holds all its own words
        with handle.searcher() as base:
            searcher = ranked_searcher(base)
            first = searcher.document_number(id="first")
            terms = [stem for _, stem in story_terms(searcher, first, {"incend", "capann"}, 20)]
        # The words "first" shares with another article; the query's words and those only
        # "first" holds ("titol", "parl") are left out.
        assert sorted(terms) == ["bonacin", "carp", "dann", "ferrolegn", "milion"]
    finally:
        handle.close()


def test_no_story_words_when_they_are_common(tmp_path):
    # The same articles with only 10 others: every shared word is in more than 1 in 20
    # documents, so none tells a story and the order is coordination's.
    others = {f"f{i}" for i in range(10, 40)}
    bodies = {k: v for k, v in STORY.items() if k not in others}
    handle = open_index(tmp_path, bodies)
    try:
        assert ids(handle, "incendio capannone") == ["first", "other", "same"]
    finally:
        handle.close()


def test_the_story_step_reads_the_same_documents_with_or_without_the_posting_cache(tmp_path):
    handle = open_index(tmp_path, STORY)
    clauses = [wq.Term("text", "incend"), wq.Term("text", "capann")]
    try:
        with handle.searcher() as base:
            searcher = ranked_searcher(base)
            docnum = {k: searcher.document_number(id=k) for k in ("first", "other", "same", "f0")}
            ranked = [(docnum[k], s) for k, s in (("first", 9.0), ("other", 8.0), ("same", 7.0))]
            ranked.append((docnum["f0"], 6.0))
            cached = rerank(searcher, clauses, ranked, DEFAULT, None, Lengths())
            assert cached == rerank(searcher, clauses, ranked, DEFAULT)
            by_id = {d: k for k, d in docnum.items()}
            assert [by_id[d] for d, _ in cached] == ["first", "same", "other", "f0"]
            plain = rerank(searcher, clauses, ranked, replace(DEFAULT, story_weight=0.0))
            assert [by_id[d] for d, _ in plain] == ["first", "other", "same", "f0"]
    finally:
        handle.close()


# Two reports of a night fire that name the firm and its owner ("Ferrolegno", "Bonacini"); a
# follow-up on the same fire that names them but holds one word of the query ("capannone"); a
# short unrelated item holding that word too, which BM25F puts above the follow-up. Eighty other
# articles: a feedback word (as a story word) is in at most 1 in 20 documents.
FEEDBACK = {
    "a": "Incendio nella notte nel capannone di Carpi: fiamme alte e danni ingenti alla "
    "Ferrolegno di Bonacini.",
    "b": "Notte di fiamme a Carpi, incendio nel capannone della Ferrolegno: Bonacini conta i "
    "danni.",
    "follow": "Ferrolegno, Bonacini riapre il capannone: si riparte con quaranta operai e un "
    "tetto provvisorio sopra i macchinari salvati.",
    "other": "Capannone in vendita a Vignola.",
    **{f"f{i}": f"Cronaca del giorno numero {i}. {FILLER}" for i in range(80)},
}
LONG = "incendio notte capannone Carpi fiamme danni"  # six words
NO_STORY = replace(DEFAULT, story_weight=0.0)  # the feedback step alone


def stems_of(text: str) -> list[str]:
    return [t.text for t in italian_analyzer()(text)]


def test_the_feedback_step_lifts_a_candidate_holding_the_best_hits_words(tmp_path):
    handle = open_index(tmp_path, FEEDBACK)
    try:
        off = replace(NO_STORY, feedback_weight=0.0)
        before, after = ids(handle, LONG, off), ids(handle, LONG, NO_STORY)
        assert set(before[:2]) == set(after[:2]) == {"a", "b"}  # the two reports first
        assert before[2:4] == ["other", "follow"]
        assert after[2:4] == ["follow", "other"]
        with handle.searcher() as base:
            searcher = ranked_searcher(base)
            best = [(searcher.document_number(id=k), s) for k, s in (("a", 2.0), ("b", 1.0))]
            terms = feedback_terms(searcher, best, set(stems_of(LONG)), 10)
        # The words the best hits share with another document, the query's own left out; the
        # best hit's count fully, the second's in proportion to its score.
        assert sorted(stem for _, stem in terms) == ["bonacin", "ferrolegn"]
    finally:
        handle.close()


def test_the_feedback_step_leaves_a_short_query_alone(tmp_path):
    handle = open_index(tmp_path, FEEDBACK)
    short = "incendio capannone Carpi fiamme"  # four words: fewer than feedback_min_words
    assert len(set(stems_of(short))) < DEFAULT.feedback_min_words == 5
    try:
        off = replace(NO_STORY, feedback_weight=0.0)
        result = search(handle, short, params=NO_STORY, with_facets=False)
        plain = search(handle, short, params=off, with_facets=False)
        assert [(h.id, h.score) for h in result.hits] == [(h.id, h.score) for h in plain.hits]
    finally:
        handle.close()


def test_the_story_step_reuses_the_words_the_feedback_step_read(tmp_path):
    # The feedback step reads its hits' words 60 at a time; the story step takes the best hit's
    # first 20 of them: the same words as reading 20.
    handle = open_index(tmp_path, FEEDBACK)
    try:
        with handle.searcher() as base:
            searcher = ranked_searcher(base)
            exclude = set(stems_of(LONG))
            for key in ("a", "b", "follow"):
                d = searcher.document_number(id=key)
                assert story_terms(searcher, d, exclude, 60)[:3] == story_terms(
                    searcher, d, exclude, 3
                )
        both = search(handle, LONG, with_facets=False)
        assert [h.id for h in both.hits][:4] in (
            ["a", "b", "follow", "other"],
            ["b", "a", "follow", "other"],
        )
    finally:
        handle.close()


def test_the_feedback_step_scores_alike_with_or_without_the_posting_cache(tmp_path):
    handle = open_index(tmp_path, FEEDBACK)
    clauses = [wq.Term("text", s) for s in stems_of(LONG)]
    try:
        with handle.searcher() as base:
            searcher = ranked_searcher(base)
            docnum = {k: searcher.document_number(id=k) for k in ("a", "b", "follow", "other")}
            ranked = [(docnum[k], s) for k, s in (("a", 9.0), ("b", 8.0), ("other", 3.0))]
            ranked.append((docnum["follow"], 2.9))
            cached = rerank(searcher, clauses, ranked, NO_STORY, None, Lengths())
            plain = rerank(searcher, clauses, ranked, NO_STORY)
            assert [d for d, _ in cached] == [d for d, _ in plain]
            assert [s for _, s in cached] == pytest.approx([s for _, s in plain])
            by_id = {d: k for k, d in docnum.items()}
            assert [by_id[d] for d, _ in cached] == ["a", "b", "follow", "other"]
    finally:
        handle.close()


# ----------------------------------------------------------------------------- the field model


def open_records(root, records: list[dict]) -> IndexHandle:
    """An index of full records (titles, bylines) as a user gives them."""
    path = root / "records.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    build_index([path], root / "index")
    return IndexHandle(root / "index")


def hits(handle, query, params=DEFAULT):
    result = search(handle, query, params=params, collapse=False, with_facets=False)
    return result.hits


OTHERS = [
    {"id": f"o{i}", "title": f"Notizia {i}", "body": f"Cronaca cittadina numero {i}. {FILLER}"}
    for i in range(6)
]


def test_a_word_in_title_lead_and_body_is_one_saturated_frequency(tmp_path):
    # "everywhere" holds "frana" in its title and twice in its body (first paragraph included);
    # "both" holds "frana" and "Pievepelago" once each in its body. The old model scored each
    # field's match separately (title + lead + body: three saturations summed) and put
    # "everywhere" first on "frana Pievepelago" before any rerank; one weighted BM25F frequency
    # does not.
    records = [
        {
            "id": "everywhere",
            "title": "Frana sulla provinciale",
            "body": "Una frana ha chiuso la provinciale del Frignano per tutto il giorno. "
            + FILLER
            + "\n\nLa frana è stata rimossa in serata dalle ruspe della Provincia.",
        },
        {
            "id": "both",
            "title": "Strada chiusa in montagna",
            "body": "A Pievepelago una frana ha chiuso la strada comunale per tutto il giorno. "
            + FILLER,
        },
        *OTHERS,
    ]
    handle = open_records(tmp_path, records)
    base = RankingParams(coordination=False, exact_boost=0.0)
    try:
        found = hits(handle, "frana Pievepelago", base)
        assert [h.id for h in found] == ["both", "everywhere"]
        with handle.searcher() as searcher:
            s = ranked_searcher(searcher, base)

            def bm25_of(doc_id, stem, tf):
                docnum = s.document_number(id=doc_id)
                return bm25(
                    s.idf("text", stem),
                    tf,
                    s.doc_field_length(docnum, "text"),
                    s.avg_field_length("text"),
                    base.b,
                    base.k1,
                )

            # Title (2) + first paragraph (2) + a later paragraph (1): one term frequency of 5,
            # saturated once; "both" has each word once in its first paragraph (2).
            assert (FIELD_WEIGHTS.title, FIELD_WEIGHTS.lead) == (2.0, 2.0)
            weights = {
                doc_id: postings_weight(s, "fran", doc_id) for doc_id in ("everywhere", "both")
            }
            assert weights == {"everywhere": 5.0, "both": 2.0}
            scores = {h.id: h.score for h in found}
            assert scores["everywhere"] == pytest.approx(bm25_of("everywhere", "fran", 5.0))
            assert scores["both"] == pytest.approx(
                bm25_of("both", "fran", 2.0) + bm25_of("both", "pievepelag", 2.0)
            )
    finally:
        handle.close()


def postings_weight(searcher, stem: str, doc_id: str) -> float:
    docnum = searcher.document_number(id=doc_id)
    matcher = searcher.postings("text", stem)
    matcher.skip_to(docnum)
    assert matcher.id() == docnum
    return matcher.weight()


def test_a_derived_title_is_not_counted_again(tmp_path):
    # Without a title the indexer derives one from the first sentence: display text, already in
    # the body. A real headline's words count twice (FieldWeights.title) on top of the body.
    records = [
        {"id": "derived", "title": None, "body": f"Frana sulla provinciale.\n\n{FILLER}"},
        {"id": "real", "title": "Frana sulla provinciale", "body": f"{FILLER}\n\nUna frana."},
        *OTHERS,
    ]
    handle = open_records(tmp_path, records)
    try:
        with handle.searcher() as s:
            assert s.stored_fields(s.document_number(id="derived"))["title_derived"] is True
            # Once, as the first paragraph (lead weight 2); not again as a title.
            assert postings_weight(s, "fran", "derived") == FIELD_WEIGHTS.lead == 2.0
            # A real title (2) and a body occurrence past the first paragraph (1).
            assert postings_weight(s, "fran", "real") == FIELD_WEIGHTS.title + 1.0 == 3.0
    finally:
        handle.close()


def test_a_headline_only_item_is_found_with_its_title_as_snippet(tmp_path):
    records = [
        {"id": "brief", "title": "Maltempo, chiusa la statale del Brennero", "body": ""},
        {"id": "empty", "title": "", "body": ""},
        *OTHERS,
    ]
    handle = open_records(tmp_path, records)
    try:
        found = hits(handle, "statale Brennero")
        assert [h.id for h in found] == ["brief"]
        assert found[0].title == "Maltempo, chiusa la statale del Brennero"
        assert found[0].snippets == [
            "Maltempo, chiusa la <mark>statale</mark> del <mark>Brennero</mark>"
        ]
        # A pasted headline finds it too.
        assert hits(handle, "Maltempo, chiusa la statale del Brennero")[0].id == "brief"
        assert search(handle, "").total == len(OTHERS) + 1  # the empty item was skipped
    finally:
        handle.close()


def test_byline_words_find_their_articles_without_outweighing_the_text(tmp_path):
    records = [
        {
            "id": "by-audiello",
            "title": "Il consiglio approva il bilancio",
            "body": "Seduta lunga in consiglio comunale. " + FILLER,
            "author": "Giulia Audiello",
            "source": "Gazzetta di Modena",
        },
        {
            "id": "fanpage",
            "title": "Incidente in tangenziale",
            "body": "Due auto coinvolte, un ferito lieve. " + FILLER,
            "source": "Fanpage.it",
        },
        {
            "id": "about-modena",
            "title": "Il Modena torna a vincere",
            "body": "Il Modena vince in trasferta. " + FILLER,
            "source": "Il Resto del Carlino",
        },
        *OTHERS,
    ]
    handle = open_records(tmp_path, records)
    try:
        assert [h.id for h in hits(handle, "Audiello")] == ["by-audiello"]
        assert [h.id for h in hits(handle, "Fanpage")] == ["fanpage"]
        # "Modena" in a source name counts, but less than in the article's own words.
        assert [h.id for h in hits(handle, "Modena")] == ["about-modena", "by-audiello"]
        with handle.searcher() as s:
            assert postings_weight(s, "audiell", "by-audiello") == FIELD_WEIGHTS.byline == 0.5
    finally:
        handle.close()


def test_a_quotation_in_a_pasted_headline_counts_its_words(tmp_path):
    # Italian headlines quote people; the article paraphrases the quotation. Among other words
    # the quoted words count like the rest, and the phrase as written adds on top; a quoted
    # phrase alone is still matched as written.
    records = [
        {
            "id": "paraphrase",
            "title": None,
            "body": "Il premier danese ha risposto a Trump: la Groenlandia non sarà mai "
            "americana e la Nato deve aiutare. " + FILLER,
        },
        {
            "id": "verbatim",
            "title": None,
            "body": "Il ministro ha detto a Trump: non ci avrà mai. Nessun accordo sul porto. "
            + FILLER,
        },
        {
            "id": "other",
            "title": None,
            "body": "Trump parla di dazi sulle auto europee con la Commissione. " + FILLER,
        },
        *OTHERS,
    ]
    handle = open_records(tmp_path, records)
    try:
        headline = "La Groenlandia replica a Trump: «Non ci avrà mai, la Nato ci aiuti»"
        assert [h.id for h in hits(handle, headline)][:1] == ["paraphrase"]
        assert [h.id for h in hits(handle, '"non ci avrà mai"')] == ["verbatim"]
        # Both hold "Trump" and "mai": the one with the phrase as written comes first.
        assert [h.id for h in hits(handle, 'Trump "non ci avrà mai"')][:2] == [
            "verbatim",
            "paraphrase",
        ]
    finally:
        handle.close()
