"""A small, hand-written Italian corpus for the engine's tests (imported explicitly by tests)."""

from __future__ import annotations

import json
from pathlib import Path

# The JSON search response, as the issue and the OpenAPI document define it (CLI --json and API).
SEARCH_RESPONSE_KEYS = [
    "query",
    "total",
    "total_exact",
    "page",
    "size",
    "took_ms",
    "suggestion",
    "corrections",
    "truncated",
    "hits",
    "facets",
    "facets_exact",
    "histogram",
]

ARTICLES = [
    {
        "id": "a1",
        "title": "Il presidente della Repubblica firma il decreto",
        "body": "Il presidente della Repubblica ha firmato ieri il decreto sui negoziati.\n\n"
        "Il Quirinale ha confermato la firma in serata.",
        "date": "2024-02-16",
        "source": "ANSA",
        "author": "Mario Rossi",
        "url": "https://example.org/a1",
    },
    {
        "id": "a2",
        "title": "Il presidente e la Repubblica delle banane",
        "body": "Un presidente e repubblica sono parole che qui compaiono vicine "
        "ma non in sequenza.",
        "date": "2023-05-01",
        "source": "Il Post",
        "author": "Anna Bianchi",
        "url": "https://example.org/a2",
    },
    {
        "id": "a3",
        "title": "Meloni incontra i sindacati",
        "body": "La presidente del Consiglio Giorgia Meloni ha incontrato i sindacati "
        "a Palazzo Chigi per negoziare sulla manovra.",
        "date": "2024-03-10",
        "source": "ANSA",
        "author": "Mario Rossi",
    },
    {
        "id": "a4",
        "title": "Il mercato del melone in Sicilia",
        "body": "Il prezzo del melone è salito del 3,5% in un anno, dicono i produttori siciliani. "
        "Il melone di Pachino è il più caro.",
        "date": "2022-07-20",
        "source": "Il Post",
        "author": "Luca Verdi",
    },
    {
        "id": "a5",
        "title": "Zelensky a Bruxelles",
        "body": "Il presidente ucraino Zelensky ha chiesto nuovi aiuti all'Unione europea. "
        "Zelensky ha parlato di negoziato possibile con la Russia.",
        "date": "2024-01-05",
        "source": "ANSA",
        "author": "Anna Bianchi",
    },
    {
        "id": "a6",
        "title": "Attenzione agli script",
        "body": 'Un lettore ha scritto <script>alert("x")</script> nel modulo dei commenti & '
        "altri hanno incollato \"virgolette\" e 'apici' nel negoziato.",
        "date": "2021-11-11",
        "source": "Il Post",
        "author": "Luca Verdi",
    },
    {
        "id": "a7",
        "title": "Perché la città cambia",
        "body": "Perche la citta di Modena cambia volto: nuovi parchi e piste ciclabili.",
        "source": "Gazzetta di Modena",
    },
]


def write_jsonl(path: Path, articles: list[dict] | None = None) -> Path:
    path.write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in (articles or ARTICLES)) + "\n",
        "utf-8",
    )
    return path
