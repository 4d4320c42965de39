"""Every sentence the pages show about an error, in Italian, keyed on the engine's error codes.

The engine's errors carry a stable ``reason`` (``number_range``, ``bad_date``, …) and the values
their English message mentions; the API sends that English message, the pages say it here.
"""

from __future__ import annotations

from typing import Any

from search.errors import RassegnaError
from web.formatting import number

# Page titles by HTTP status.
TITLES = {
    400: "Ricerca non valida",
    404: "Pagina non trovata",
    405: "Metodo non consentito",
    500: "Errore interno",
    503: "Indice non disponibile",
}

# How the pages call the parameters an error may name.
PARAMETER_NAMES = {
    "page": "il numero di pagina",
    "size": "il numero di risultati per pagina",
    "from": "la data d'inizio («Dal»)",
    "to": "la data di fine («Al»)",
    "collapse": "il raggruppamento delle versioni quasi identiche",
}

# Engine reasons -> message; {placeholders} are the error's details, formatted below.
ENGINE_MESSAGES = {
    "number_range": "{Name} deve essere un numero intero da 1 a {maximum}; «{value}» non va bene.",
    "bad_date": "{Name} deve essere una data come 2024-02-16 (oppure 2024 o 2024-02); "
    "«{value}» non è una data valida.",
    "dates_reversed": "La data d'inizio viene dopo quella di fine: scambia le due date.",
    "bad_year": "L'anno deve avere quattro cifre, come 2024; «{value}» non va bene.",
    "bad_sort": "L'ordinamento «{value}» non esiste: scegli rilevanza, più recenti o meno recenti.",
    "bad_flag": "{Name} accetta solo 1 o 0 (sì o no); «{value}» non va bene.",
    "bad_format": "Il formato «{value}» non esiste: l'esportazione è in csv o jsonl.",
    "query_too_long": "La ricerca è lunga {length} caratteri e il limite è {limit}: "
    "tieni solo le parole che contano.",
    "too_many_words": "La ricerca ha più di {limit} parole: tieni solo quelle che contano.",
    "wildcard_in_phrase": "L'asterisco non funziona dentro le frasi tra virgolette: toglilo.",
    "bad_wildcard": "«{word}»: l'asterisco funziona solo in fondo a una parola (come in negoz*); "
    "il punto interrogativo e l'asterisco all'inizio o in mezzo non sono previsti.",
    "short_prefix": "«{word}»: per cercare un prefisso servono almeno {minimum} lettere prima "
    "dell'asterisco.",
    "bad_query": "La ricerca non si può eseguire così com'è scritta: correggila e riprova.",
    "not_found": "Nell'indice non c'è nessun articolo con identificativo «{article_id}».",
    "no_index": "L'indice degli articoli non è ancora stato creato.",
    "index_version": "L'indice è stato creato da un'altra versione di Rassegna e va ricostruito.",
    "unsafe_index": "L'indice è modificabile da altri utenti del sistema e per sicurezza non viene "
    "aperto: chi lo gestisce deve togliere i permessi di scrittura di gruppo e altri.",
}

# Messages for HTTP errors that do not come from the engine.
HTTP_MESSAGES = {
    400: "La richiesta non è valida.",
    404: "La pagina richiesta non esiste. Controlla l'indirizzo o cerca dalla pagina iniziale.",
    405: "Questa pagina accetta solo richieste GET.",
    500: "Si è verificato un errore imprevisto. Riprova tra poco.",
    503: "Il servizio non è disponibile in questo momento. Riprova tra poco.",
}
FALLBACK = "Si è verificato un errore. Riprova tra poco."


def _values(details: dict[str, Any]) -> dict[str, str]:
    out = {k: number(v) if isinstance(v, int) else str(v) for k, v in details.items()}
    name = PARAMETER_NAMES.get(str(details.get("name", "")), "il valore")
    out["Name"] = name[:1].upper() + name[1:]
    return out


def engine_message(error: RassegnaError) -> str:
    """The Italian sentence for an engine error (its reason, else its code)."""
    template = ENGINE_MESSAGES.get(error.reason) or ENGINE_MESSAGES.get(error.code)
    if template is None:
        return FALLBACK
    try:
        return template.format(**_values(error.details))
    except (KeyError, IndexError, ValueError):
        # An error raised without the details its reason names: say what kind it is.
        return ENGINE_MESSAGES.get(error.code) or FALLBACK


def http_message(status: int) -> str:
    return HTTP_MESSAGES.get(status, FALLBACK)
