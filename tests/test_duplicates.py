"""Near-duplicate signatures and grouping, and the search core's collapsing of syndicated copies."""

from __future__ import annotations

import json
import pickle

import pytest

from search.duplicates import NUM_HASHES, group_near_duplicates, signature, similarity
from search.indexer import build_index
from search.request import SearchRequest
from search.searcher import search
from search.store import IndexHandle

STORY = (
    "MODENA. Un incendio è scoppiato ieri sera in un capannone artigianale della zona "
    "industriale di Carpi. Le fiamme, alimentate dal materiale plastico stoccato all'interno, "
    "hanno distrutto buona parte del tetto. Sul posto sono intervenute quattro squadre dei "
    "vigili del fuoco, che hanno lavorato fino all'alba per spegnere gli ultimi focolai. "
    "Nessun ferito: gli operai avevano lasciato lo stabilimento poche ore prima. I tecnici "
    "dell'Arpae hanno effettuato rilievi sulla qualità dell'aria nelle abitazioni vicine."
)
# The same story as another outlet runs it: a new dateline and two small edits.
SYNDICATED = (
    STORY.replace("MODENA. ", "CARPI. ")
    .replace("quattro squadre", "alcune squadre")
    .replace("poche ore prima", "nel pomeriggio")
)
OTHER = (
    "SASSUOLO. Il consiglio comunale ha approvato il bilancio di previsione con i voti della "
    "maggioranza. Tra gli interventi previsti la nuova pista ciclabile lungo la provinciale, il "
    "rifacimento dell'asilo nido di via Radici e un fondo per le famiglie in difficoltà. "
    "L'opposizione ha chiesto più risorse per la manutenzione delle strade."
)


def test_near_identical_texts_are_grouped_and_different_ones_are_not():
    a, b, c = signature(STORY), signature(SYNDICATED), signature(OTHER)
    assert len(a) == NUM_HASHES
    assert similarity(a, a) == 1.0
    assert similarity(a, b) >= 0.5
    assert similarity(a, c) < 0.2
    assert group_near_duplicates([a, b, c]) == [0, 0, 2]


def test_the_earlier_item_leads_its_group():
    a, b, c = signature(STORY), signature(SYNDICATED), signature(OTHER)
    assert group_near_duplicates([c, b, a]) == [0, 1, 1]
    assert group_near_duplicates([b, c, a, b]) == [0, 1, 0, 0]


def test_empty_signatures_are_never_grouped():
    assert group_near_duplicates([(), (), signature(STORY)]) == [0, 1, 2]
    assert similarity((), signature(STORY)) == 0.0


def test_signature_is_stable_across_processes_and_pickles():
    # Signatures are stored in the index: the same text must give the same numbers forever.
    sig = signature("Il sindaco di Modena ha firmato ieri l'ordinanza sul traffico")
    assert sig[:4] == (4371546876, 76579580, 76143312, 12945624960)
    assert pickle.loads(pickle.dumps(sig)) == sig
    # Case and punctuation do not change the shingles.
    assert signature("IL SINDACO di Modena, ha firmato ieri l'ordinanza sul traffico!") == sig


@pytest.fixture
def syndicated_index(tmp_path):
    rows = [
        {"id": "orig", "title": "Incendio nel capannone", "body": STORY, "source": "Gazzetta"},
        {"id": "copy", "title": "Fiamme nel capannone", "body": SYNDICATED, "source": "Resto"},
        {"id": "other", "title": "Approvato il bilancio", "body": OTHER, "source": "Gazzetta"},
        {
            "id": "second",
            "title": "Capannone, le indagini",
            "body": "Dopo l'incendio del capannone di Carpi la procura ha aperto un fascicolo: "
            "si indaga sul materiale stoccato e sulle autorizzazioni dell'azienda.",
            "source": "Gazzetta",
        },
    ]
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    build_index([path], tmp_path / "index")
    handle = IndexHandle(tmp_path / "index")
    yield handle
    handle.close()


def test_search_collapses_syndicated_copies_into_similar(syndicated_index):
    result = search(syndicated_index, "incendio capannone", collapse=True, with_facets=False)
    shown = [hit.id for hit in result.hits]
    assert len(shown) == 2 and "second" in shown
    leader = next(hit for hit in result.hits if hit.id in ("orig", "copy"))
    assert [ref.id for ref in leader.similar] == [({"orig", "copy"} - {leader.id}).pop()]
    assert next(hit for hit in result.hits if hit.id == "second").similar == []


def test_search_without_collapse_shows_every_copy(syndicated_index):
    result = search(syndicated_index, "incendio capannone", collapse=False, with_facets=False)
    assert sorted(hit.id for hit in result.hits) == ["copy", "orig", "second"]
    assert all(hit.similar == [] for hit in result.hits)


def test_every_copy_is_a_hit_by_default_and_the_request_can_collapse(syndicated_index):
    # "Who carried this story" is a newsroom's question: by default every copy answers it.
    plain = search(syndicated_index, SearchRequest("incendio capannone"), with_facets=False)
    assert sorted(hit.id for hit in plain.hits) == ["copy", "orig", "second"]
    folded = search(
        syndicated_index, SearchRequest("incendio capannone", collapse=True), with_facets=False
    )
    assert len(folded.hits) == 2
    assert sum(len(hit.similar) for hit in folded.hits) == 1


def test_texts_without_words_get_no_signature():
    assert signature("") == ()
    assert signature(" -- … ") == ()
    assert group_near_duplicates([signature(""), signature("  ")]) == [0, 1]
