"""Helpers shared by the web tests: a small Italian corpus, a real on-disk index, a live server.

Imported explicitly by tests/test_web.py, test_api.py, test_serving.py and test_browser.py (the
shared conftest.py is left to generic fixtures).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from search.indexer import build_index

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RASSEGNA = Path(sys.executable).parent / "rassegna"

XSS = "<script>alert(1)</script>"

ARTICLES = [
    {
        "id": "a01",
        "title": "Il governo approva la manovra finanziaria",
        "body": "Il consiglio dei ministri ha approvato la manovra finanziaria per il prossimo "
        "anno.\n\nLa manovra prevede tagli alle tasse e nuovi fondi per la sanità pubblica.",
        "source": "Corriere",
        "author": "Mario Rossi",
        "date": "2025-04-11",
        "url": "https://example.org/corriere/manovra-finanziaria-governo-approva",
    },
    {
        "id": "a02",
        "title": "Manovra, le opposizioni contro il governo",
        "body": "Le opposizioni criticano la manovra del governo e annunciano emendamenti.\n\n"
        "Il dibattito in parlamento sulla manovra inizierà la prossima settimana.",
        "source": "Repubblica",
        "author": "Giulia Bianchi",
        "date": "2025-04-12",
        "url": "https://example.org/repubblica/manovra-opposizioni",
    },
    {
        "id": "a03",
        "title": "Allerta meteo in Liguria per la pioggia",
        "body": "La protezione civile ha diramato un'allerta meteo arancione in Liguria.\n\n"
        "Sono previste piogge intense e forti raffiche di vento sulla costa.",
        "source": "Il Secolo XIX",
        "author": "Luca Verdi",
        "date": "2024-11-03",
        "url": "https://example.org/secolo/allerta-meteo-liguria",
    },
    {
        "id": "a04",
        "title": "Sicurezza informatica: attacco al sito del comune",
        "body": "Un attacco informatico ha colpito il sito del comune. Gli aggressori hanno "
        f'inserito il codice {XSS} e la frase "hackerato da noi" nella pagina.\n\n'
        "La polizia postale indaga sull'attacco & sui responsabili.",
        "source": "Corriere",
        "author": "Mario Rossi",
        "date": "2024-06-20",
        "url": "https://example.org/corriere/attacco-informatico-comune",
    },
    {
        "id": "a05",
        "title": "La Juventus vince il derby",
        "body": "La Juventus ha vinto il derby contro il Torino con un gol nel finale.\n\n"
        "I tifosi hanno festeggiato fino a tarda sera in centro.",
        "source": "Gazzetta",
        "author": "Paolo Neri",
        "date": "2023-10-08",
        "url": "https://example.org/gazzetta/juventus-derby",
    },
    {
        "id": "a06",
        "title": "Inflazione in calo ad aprile",
        "body": "L'inflazione è scesa ad aprile secondo l'Istat, grazie al calo dei prezzi "
        "dell'energia.\n\nLa manovra del governo potrebbe beneficiarne.",
        "source": "Il Sole 24 Ore",
        "author": "Anna Galli",
        "date": "2025-05-02",
        "url": "https://example.org/sole/inflazione-aprile",
    },
    {
        "id": "a07",
        "title": "Scuola, sciopero degli insegnanti",
        "body": "Gli insegnanti hanno scioperato per chiedere aumenti di stipendio.\n\n"
        "Il ministero della scuola convoca i sindacati.",
        "source": "Repubblica",
        "author": "Giulia Bianchi",
        "date": "2024-02-16",
        "url": "https://example.org/repubblica/sciopero-scuola",
    },
    {
        "id": "a08",
        "title": "Il governo approva la manovra finanziaria",
        "body": "Il consiglio dei ministri ha approvato la manovra finanziaria per il prossimo "
        "anno.\n\nLa manovra prevede tagli alle tasse e nuovi fondi per la sanità pubblica.",
        "source": "Ansa",
        "author": "Redazione",
        "date": "2025-04-11",
        "url": "https://example.org/ansa/manovra-finanziaria",
    },
    {
        "id": "a09",
        "title": "Treni in ritardo per un guasto alla linea",
        "body": "Un guasto alla linea elettrica ha causato ritardi fino a due ore sui treni "
        "regionali.\n\nI pendolari protestano per i continui disagi.",
        "source": "Corriere",
        "author": "Luca Verdi",
        "date": "2023-12-01",
        "url": None,
    },
    {
        "id": "a10",
        "title": "Nuovo museo apre a Napoli",
        "body": "Un nuovo museo di arte contemporanea apre a Napoli con una mostra dedicata "
        "al mare.\n\nL'ingresso è gratuito per il primo mese.",
        "source": "Il Mattino",
        "author": "Sara Esposito",
        "date": "2024-09-15",
        "url": "https://example.org/mattino/museo-napoli",
    },
    {
        "id": "a11",
        "title": "Governo e sindacati, accordo sulle pensioni",
        "body": "Il governo e i sindacati hanno firmato un accordo sulle pensioni.\n\n"
        "L'intesa sarà inserita nella prossima manovra.",
        "source": "Ansa",
        "author": "Redazione",
        "date": "2024-12-20",
        "url": "https://example.org/ansa/pensioni-accordo",
    },
    {
        "id": "a12",
        "title": "Vendemmia record in Toscana",
        "body": "La vendemmia di quest'anno in Toscana è da record per quantità e qualità.\n\n"
        "I produttori di vino sono soddisfatti.",
        "source": "La Nazione",
        "author": "Marco Conti",
        "date": "2023-09-30",
        "url": "https://example.org/nazione/vendemmia-toscana",
    },
]

# Articles added by the serving test's rebuild / update: words nowhere else in the corpus.
NEW_BUILD_ARTICLES = [
    {
        "id": "n01",
        "title": "Eclissi solare visibile dalla Sicilia",
        "body": "Un'eclissi solare parziale sarà visibile dalla Sicilia domani mattina.",
        "source": "Ansa",
        "author": "Redazione",
        "date": "2025-06-01",
        "url": "https://example.org/ansa/eclissi",
    }
]
UPDATE_ARTICLES = [
    {
        "id": "u01",
        "title": "Scoperto un nuovo asteroide",
        "body": "Gli astronomi hanno scoperto un asteroide vicino alla Terra.",
        "source": "Corriere",
        "author": "Luca Verdi",
        "date": "2025-06-02",
        "url": "https://example.org/corriere/asteroide",
    }
]


def write_jsonl(path: Path, articles: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for article in articles:
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    return path


def build_corpus_index(root: Path, articles: list[dict] | None = None) -> Path:
    """Write the corpus under ``root`` and build a real index in ``root/index``."""
    source = write_jsonl(root / "corpus" / "articles.jsonl", articles or ARTICLES)
    index_dir = root / "index"
    build_index([source], index_dir)
    return index_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real gunicorn started with `rassegna serve`, terminated by :meth:`stop`.

    As a context manager it waits until the server answers and stops it on the way out.
    """

    def __init__(self, index_dir: Path, log_path: Path, workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = dict(os.environ, RASSEGNA_CORS_ORIGINS="")
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(RASSEGNA),
                "serve",
                "--index",
                str(index_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            env=env,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn not ready after {timeout} s:\n{self.log()}")

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text("utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()

    def __enter__(self) -> LiveServer:
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
