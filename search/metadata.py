"""Article metadata: the article's own date, and outlet and author names in one canonical form.

Precision comes before coverage: an extractor that is unsure gives nothing. A date counts as the
article's own only where a page puts it (a publication line, a dateline opening the text, the
url's path), never because the text mentions it; names are mapped to one spelling so facets show
one value per outlet or person and filters match every variant.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlsplit

__all__ = [
    "OUTLETS",
    "article_date",
    "author_from_signature",
    "canonical_author",
    "canonical_filter_value",
    "canonical_source",
    "dateline_date",
    "parse_date",
    "publication_line_date",
    "source_from_url",
    "strip_outlet_suffix",
    "url_date",
]

# --- dates ------------------------------------------------------------------------------------

ITALIAN_MONTHS = {
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6,
    "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
    "gen": 1, "feb": 2, "mar": 3, "apr": 4, "mag": 5, "giu": 6,
    "lug": 7, "ago": 8, "set": 9, "sett": 9, "ott": 10, "nov": 11, "dic": 12,
}  # fmt: skip
_WEEKDAYS = {
    "lunedi": 0, "martedi": 1, "mercoledi": 2, "giovedi": 3, "venerdi": 4, "sabato": 5,
    "domenica": 6,
}  # fmt: skip

_MONTH_NAMES = "|".join(sorted(ITALIAN_MONTHS, key=len, reverse=True))
_ISO_DATE_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC_DATE_RE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_WEEKDAY = r"(?:luned[iì]|marted[iì]|mercoled[iì]|gioved[iì]|venerd[iì]|sabato|domenica)"
_TEXT_DATE_RE = re.compile(
    rf"(?:{_WEEKDAY},?\s+)?(\d{{1,2}})\s*[º°]?\s+({_MONTH_NAMES})\.?\s+(\d{{4}})", re.IGNORECASE
)
# One date as pages write it, with an optional weekday; the groups let the weekday be checked.
_ANY_DATE = (
    rf"(?:(?P<weekday>(?i:{_WEEKDAY})),?\s+)?"
    rf"(?:(?P<td>\d{{1,2}})\s*[º°]?\s+(?P<tm>(?i:{_MONTH_NAMES}))\.?\s+(?P<ty>\d{{4}})"
    r"|(?P<nd>\d{1,2})[/.-](?P<nm>\d{1,2})[/.-](?P<ny>\d{4})"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
)
# A time after the date: "ore 10:15", "alle 10.15", ", 10:15", "- 10:15".
_TIME = r"(?:\s*(?:[,-]|\bore\b|\balle\b|h)?\s*(?:ore\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?)?"
_DATE_LINE_RE = re.compile(rf"{_ANY_DATE}{_TIME}", re.IGNORECASE)
# "Pubblicato il 3/3/2024", "Pubblicato: 3 marzo 2024 ore 10:15", "Data di pubblicazione: …",
# "Aggiornato il …"; the label decides which kind of date the line gives.
_PUBLICATION_LINE_RE = re.compile(
    rf"^(?P<label>pubblicat[oa]|data di pubblicazione|aggiornat[oa]|ultimo aggiornamento"
    rf"|data)\b\s*(?:il|in data|:|alle ore|-)?\s*:?\s*(?P<date>{_ANY_DATE}{_TIME})"
    r"(?:\s+(?:da|di|by)\s+[^|,;]{2,60}?)?"  # "… da Mario Rossi"
    r"\s*(?:[|,;–—-]\s*(?:aggiornat[oa]|ultimo aggiornamento)\b.*)?[.,]?$",
    re.IGNORECASE,
)
# A dateline opening the text: a place (one to five capitalised words; "L'AQUILA", "Reggio
# Emilia", "SAN GIOVANNI IN PERSICETO"), a comma or dash, the date, a time, then a dash, comma,
# full stop or the end. "(ANSA) -" style agency tags may stand before or after the date.
_PLACE = (
    r"[A-ZÀ-ÖØ-Þ][\w’'.-]*(?:\s+(?:(?:di|del|della|dei|in|sul|sulla|nell['’]|d['’])\s*)?"
    r"[A-ZÀ-ÖØ-Þ][\w’'.-]*){0,4}"
)
_AGENCY_TAG = r"(?:\s*\((?:ANSA|Adnkronos|AGI|LaPresse|Askanews|Dire|Ansa)\)\s*[-–—]?\s*)?"
_DATELINE_RE = re.compile(
    rf"^{_AGENCY_TAG}(?P<place>{_PLACE})\s*(?:,|\s[-–—])\s*(?P<date>{_ANY_DATE}{_TIME})"
    rf"\s*{_AGENCY_TAG}(?:[-–—,.:]|$|\s(?=[A-ZÀ-Ý«\"“]))"  # "Roma, 12 gen. 2025 Il governo…"
)
_URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$)")
EARLIEST_YEAR = 1900


def parse_date(value: object) -> datetime.date | None:
    """Parse a publication date; None for an empty value, ValueError for an invalid one.

    Accepts dates and datetimes, ISO strings (`2021-03-10`, `2021-03-10T12:00:00Z`,
    `2021-03-10 12:00`; the calendar date is taken as written, the time zone is not applied),
    `10/03/2021` (day first, also with `-` or `.`) and Italian `10 marzo 2021` / `1º mar 2021`.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = " ".join(str(value).split())
    if not text:
        return None
    patterns = ((_ISO_DATE_RE, "ymd"), (_NUMERIC_DATE_RE, "dmy"), (_TEXT_DATE_RE, "dmy"))
    for pattern, order in patterns:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = parts["m"]
        month_number = int(month) if month.isdigit() else ITALIAN_MONTHS[month.lower()]
        try:
            return datetime.date(int(parts["y"]), month_number, int(parts["d"]))
        except ValueError:
            raise ValueError(f"invalid date {text!r}") from None
    raise ValueError(f"unrecognised date {text!r}")


def _date_of(match: re.Match[str]) -> datetime.date | None:
    """The date an `_ANY_DATE` match names, or None when it is impossible or implausible
    (31 February, a year before 1900 or after next year, a weekday that does not fit)."""
    if match.group("td"):
        day, month, year = match.group("td"), ITALIAN_MONTHS[match.group("tm").lower()], match["ty"]
    elif match.group("nd"):
        day, month, year = match.group("nd"), match.group("nm"), match.group("ny")
    else:
        day, month, year = match.group("id"), match.group("im"), match.group("iy")
    try:
        found = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    if not EARLIEST_YEAR <= found.year <= datetime.date.today().year + 1:
        return None
    weekday = match.group("weekday")
    if weekday and _WEEKDAYS[_fold(weekday)] != found.weekday():
        return None  # "lunedì 3 marzo 2024" was a Sunday: something is misread
    return found


def publication_line_date(line: str) -> tuple[str, datetime.date] | None:
    """(kind, date) for a line that is only a publication date, or None.

    The kind is "published" (`Pubblicato il 3/3/2024`), "updated" (`Aggiornato il 4 marzo
    2024`) or "date" for a bare date (`3 marzo 2024 ore 10:15`); a line that says anything else
    ("Pubblicato nel 1990, il libro…") gives None.
    """
    text = " ".join(line.split()).strip("[]() ")
    match = _PUBLICATION_LINE_RE.match(text)
    if match is None:
        bare = _DATE_LINE_RE.fullmatch(text.rstrip(".,"))
        found = _date_of(bare) if bare else None
        return ("date", found) if found else None
    date_match = _DATE_LINE_RE.match(match.group("date"))
    found = _date_of(date_match) if date_match else None
    if found is None:
        return None
    label = match.group("label").lower()
    return ("updated" if label.startswith(("aggiornat", "ultimo")) else "published", found)


def dateline_date(paragraph: str) -> datetime.date | None:
    """The date of a dateline opening `paragraph`: `MILANO, 3 marzo 2024 –`, `Roma, 12 gen. 2025`"""
    match = _DATELINE_RE.match(paragraph.strip())
    if match is None:
        return None
    date_match = _DATE_LINE_RE.match(match.group("date"))
    return _date_of(date_match) if date_match else None


def url_date(url: str | None) -> datetime.date | None:
    """A date written into a url's path as `/2024/03/03/`, the way news sites file articles."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    match = _URL_DATE_RE.search(path)
    if match is None:
        return None
    try:
        found = datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return found if found.year <= datetime.date.today().year + 1 else None


def article_date(
    *,
    date_lines: Sequence[str] = (),
    body: str = "",
    url: str | None = None,
) -> datetime.date | None:
    """The article's own date from what the page says about itself, most trusted first.

    A publication line or a bare date among ``date_lines`` (the lines a page prints around its
    headline) or opening ``body``; a dateline opening ``body``; a date in the ``url`` path; an
    "Aggiornato il" line. Dates the text mentions anywhere else are never taken: they date
    events, not the article. (A date field in the record or front matter outranks all of these;
    the reader applies it.)
    """
    lines = list(date_lines)
    opening = ""
    # A body (a record's) may itself start with its publication line.
    for paragraph in [p for p in body.split("\n") if p.strip()][:4]:
        if publication_line_date(paragraph) is None:
            opening = paragraph
            break
        lines.append(paragraph)
    updated = None
    for line in lines:
        found = publication_line_date(line)
        if found and found[0] != "updated":
            return found[1]
        if found and updated is None:
            updated = found[1]
    return dateline_date(opening) or url_date(url) or updated


# --- outlets ----------------------------------------------------------------------------------

# Canonical name (as the masthead writes it), web domains, and other spellings met in feeds.
# Spelling variants that differ only in case, spacing, accents, punctuation, a leading article
# or a ".it" are matched without being listed (see `_name_key`).
OUTLETS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("ANSA", ("ansa.it",), ("Agenzia ANSA",)),
    ("Adnkronos", ("adnkronos.com", "adnkronos.it"), ("Adn Kronos",)),
    ("AGI", ("agi.it",), ("Agenzia Italia", "AGI Agenzia Italia", "Agenzia Giornalistica Italia")),
    ("LaPresse", ("lapresse.it",), ()),
    ("Askanews", ("askanews.it",), ()),
    ("Agenzia Dire", ("dire.it",), ("Dire",)),
    ("Corriere della Sera", ("corriere.it",), ("Corriere", "Il Corriere della Sera")),
    ("la Repubblica", ("repubblica.it",), ()),
    ("La Stampa", ("lastampa.it",), ()),
    (
        "Il Sole 24 Ore",
        ("ilsole24ore.com",),
        ("Il Sole Ventiquattro Ore", "Sole 24 Ore", "Il Sole 24ore", "IlSole24Ore"),
    ),
    ("Il Fatto Quotidiano", ("ilfattoquotidiano.it",), ("Il Fatto", "Fatto Quotidiano")),
    ("Il Post", ("ilpost.it",), ()),
    ("Fanpage.it", ("fanpage.it",), ()),
    ("Il Giornale", ("ilgiornale.it",), ()),
    ("Libero", ("liberoquotidiano.it",), ("Libero Quotidiano",)),
    ("La Verità", ("laverita.info",), ()),
    ("il manifesto", ("ilmanifesto.it",), ()),
    ("Il Messaggero", ("ilmessaggero.it",), ()),
    ("Il Foglio", ("ilfoglio.it",), ("Il Foglio Quotidiano",)),
    ("Avvenire", ("avvenire.it",), ()),
    ("TGCom24", ("tgcom24.mediaset.it",), ("TgCom 24",)),
    ("Sky TG24", ("tg24.sky.it",), ("SkyTG24",)),
    ("RaiNews", ("rainews.it",), ("Rai News", "RaiNews24", "Rai News 24")),
    ("Open", ("open.online",), ("Open Online",)),
    ("Gazzetta di Modena", ("gazzettadimodena.gelocal.it", "gazzettadimodena.it"), ()),
    ("La Gazzetta dello Sport", ("gazzetta.it",), ("Gazzetta dello Sport",)),
    ("Corriere dello Sport", ("corrieredellosport.it",), ()),
    ("Il Resto del Carlino", ("ilrestodelcarlino.it",), ("Resto del Carlino",)),
    ("La Nazione", ("lanazione.it",), ()),
    ("Il Giorno", ("ilgiorno.it",), ()),
    ("Il Mattino", ("ilmattino.it",), ()),
    ("Il Tempo", ("iltempo.it",), ()),
    ("Il Gazzettino", ("ilgazzettino.it",), ()),
    ("Il Secolo XIX", ("ilsecoloxix.it",), ()),
    ("L'Espresso", ("lespresso.it", "espresso.repubblica.it"), ()),
    ("HuffPost Italia", ("huffingtonpost.it",), ("HuffPost", "Huffington Post Italia")),
    ("Today.it", ("today.it",), ()),
    ("Il Riformista", ("ilriformista.it",), ()),
    ("Domani", ("editorialedomani.it",), ()),
    ("l'Unità", ("unita.it",), ()),
    ("L'Indipendente", ("lindipendente.online",), ()),
    ("Internazionale", ("internazionale.it",), ()),
    ("Governo Italiano", ("governo.it",), ()),
    ("Camera dei deputati", ("camera.it",), ()),
    ("Senato della Repubblica", ("senato.it",), ()),
)
# Hosts that carry other sites' articles: their domain names no outlet.
_NOT_OUTLETS = frozenset(
    "archive.org web.archive.org archive.ph news.google.com google.com t.co bit.ly facebook.com "
    "twitter.com x.com msn.com localhost".split()
)
_TLD_RE = re.compile(r"\.(?:it|com|net|org|info|online|eu)$")
_ARTICLE_RE = re.compile(r"^(?:il|lo|la|i|gli|le|l')\s*(?=\w)")
_JUNK_NAMES = frozenset(
    ["", "-", "--", "n/a", "na", "nd", "n.d.", "null", "none", "nil", "undefined", "unknown",
     "sconosciuto", "anonimo", "nan", "web info"]
)  # fmt: skip


def _fold(text: str) -> str:
    """Casefolded, accents removed, typographic apostrophes made plain."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _name_key(name: str) -> str:
    """What two spellings of one outlet share: no case, accents, article, ".it", punctuation."""
    text = _fold(" ".join(name.split())).removeprefix("www.")
    text = _ARTICLE_RE.sub("", _TLD_RE.sub("", text))
    return re.sub(r"[\W_]+", "", text)


@lru_cache(maxsize=1)
def _outlet_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(name key → canonical name, domain → canonical name), built on first use."""
    by_key: dict[str, str] = {}
    by_domain: dict[str, str] = {}
    for canonical, domains, aliases in OUTLETS:
        # Domains are looked up whole (`source_from_url`): "gazzetta.it" names La Gazzetta dello
        # Sport, but a source written "Gazzetta" could be any of several papers.
        for name in (canonical, *aliases):
            by_key[_name_key(name)] = canonical
        for domain in domains:
            by_domain[domain] = canonical
    return by_key, by_domain


def _host(url: str) -> str | None:
    text = url.strip()
    if "://" not in text:
        text = f"http://{text}"
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host.lower().rstrip(".")


def source_from_url(url: str | None) -> str | None:
    """The outlet a url belongs to: its canonical name for a known domain (subdomains too), the
    bare host name for another news site, None for archives, aggregators and non-web urls."""
    if not url or not re.match(r"(?i)(https?://)?[\w.-]+\.[a-z]{2,}(?::\d+)?(?:[/?#]|$)", url):
        return None
    host = _host(url)
    if host is None:
        return None
    _, by_domain = _outlet_tables()
    parts = host.split(".")
    for i in range(len(parts) - 1):
        suffix = ".".join(parts[i:])
        if suffix in by_domain:
            return by_domain[suffix]
        if suffix in _NOT_OUTLETS:
            return None
    if re.fullmatch(r"[\d.]+", host):
        return None
    return host.removeprefix("www.").removeprefix("m.")


def _display_case(text: str, small: frozenset[str]) -> str:
    """Title case for a name written all in capitals or all in lowercase; kept otherwise.

    One word in capitals stays (an acronym: "ANSA", "RS"); `small` words stay lowercase inside.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return text
    upper = all(c.isupper() for c in letters)
    lower = all(c.islower() for c in letters)
    if not (lower or (upper and len(text.split()) > 1)):
        return text
    words = []
    for i, word in enumerate(text.split(" ")):
        if "." in word.strip(".") and not upper:
            words.append(word.lower())  # a domain: "gianlucadimarzio.com"
        elif i and word.lower() in small:
            words.append(word.lower())
        else:
            words.append(_capitalise(word))
    return " ".join(words)


def _capitalise(word: str) -> str:
    """ "d'angelo" → "D'Angelo", "bernard-henri" → "Bernard-Henri", "27esima" stays."""
    return re.sub(r"(?:^|(?<=[-'’]))[^\W\d_]", lambda m: m.group(0).upper(), word.lower())


_SMALL_WORDS = frozenset("di del della dello dei degli delle da dal dalla e ed in per a".split())


def canonical_source(name: str | None) -> str | None:
    """The one spelling of an outlet name: known outlets as their masthead writes them
    ("la Repubblica" for "Repubblica", "REPUBBLICA", "repubblica.it"), a url or domain as its
    outlet, anything else with its spacing (and an all-capitals or all-lowercase case) tidied."""
    if name is None:
        return None
    text = " ".join(str(name).replace("’", "'").split()).strip(" \"'«»“”")
    if _fold(text) in _JUNK_NAMES:
        return None
    if re.fullmatch(r"(?i)(https?://\S+|[\w-]+(?:\.[\w-]+)+(?:/\S*)?)", text) and (
        from_url := source_from_url(text)
    ):
        return from_url
    by_key, _ = _outlet_tables()
    known = by_key.get(_name_key(text))
    if known:
        return known
    # "la Repubblica - Esteri", "Esteri | Corriere della Sera": a feed named after its outlet.
    parts = [p for p in re.split(r"\s+[-–—|:]\s+", text) if p]
    if len(parts) > 1:
        outlets = {by_key[k] for p in parts if (k := _name_key(p)) in by_key}
        if len(outlets) == 1:
            return outlets.pop()
    return _display_case(text, _SMALL_WORDS)


def strip_outlet_suffix(title: str, source: str | None) -> tuple[str, str | None]:
    """A headline without the " - Il Post" an RSS feed appends, and the outlet it names.

    The suffix goes only when it names a known outlet that is the article's source (or the
    article has none); "Ucraina - La guerra" keeps its second half.
    """
    known = {canonical for canonical, _, _ in OUTLETS}
    wanted = canonical_source(source) if source else None
    # "Titolo | Libero Quotidiano.it - Libero Quotidiano": a feed may append it twice.
    while match := re.match(r"^(?P<head>.+\S)\s+[-–—|]\s+(?P<tail>[^-–—|]{2,40})$", title):
        outlet = canonical_source(match.group("tail"))
        if outlet not in known or (wanted is not None and outlet != wanted):
            break
        title, wanted = match.group("head"), outlet
    return title, source or wanted


# --- authors ----------------------------------------------------------------------------------

# Lead-ins and roles around a byline: "di", "a cura di", "dal nostro inviato", ", inviata a Seul",
# "corrispondente da Parigi", "(redazione@… (Nome))", "foto di …".
_LEAD_IN_RE = re.compile(
    r"^(?:(?:testo\s+|(?:video)?intervista\s+|servizio\s+)?"
    r"(?:di|by|a cura (?:di|della|del)|dal(?:la)? nostr[oa] (?:inviat[oa]|corrispondente)"
    r"(?:\s+(?:a|in|da)\s+(?-i:[A-ZÀ-Ý][\w'’-]*)(?=\s+(?-i:[A-ZÀ-Ý])))?)"
    r"|autore|autrice|firma)\s*:?\s+(?=\S+\s+\S)",  # "Di Battista" alone is a surname
    re.IGNORECASE,
)
_ROLE_RE = re.compile(
    r"[,;]?\s*\b(?:(?:nostr[oa]\s+)?inviat[oaie]|corrispondente|corrispondenti)\b"
    r"(?:\s+(?:a|in|da|dal|dalla|per)\s+[^,;]*?)?(?=\s*(?:[,;]|\s+e\s+|$))",
    re.IGNORECASE,
)
_CREDITS_RE = re.compile(
    r"[,;]?\s*[-–—]?\s*\b(?:foto|video|foto e video|immagini|riprese)\s+(?:di\s+)?.*$",
    re.IGNORECASE,
)
_EMAIL_NOTE_RE = re.compile(r"\(\s*[^()\s]+@[^()]*(?:\([^()]*\))?\s*\)")
_NOTE_RE = re.compile(r"\((?:[^()]*\b(?:reporters?|video|foto)\b[^()]*)\)", re.IGNORECASE)
_RED_RE = re.compile(r"\bred\.\s*", re.IGNORECASE)
_SEPARATOR_RE = re.compile(
    r"((?:\s*[,;&/]\s*|\s+[-–—]\s+|\s+(?:e|ed|and)\s+)+)", re.IGNORECASE
)  # one group: re.split keeps the separators
_DESKS = frozenset(
    "esteri online web sport cronaca cronache politica economia cultura spettacoli interni "
    "digitale".split()
)
_AND_RE = re.compile(r"\s+(?:e|ed)\s+", re.IGNORECASE)
_PLACE_PART_RE = re.compile(r"^(?:da|a|in|dal|dalla|dagli|per)\s")  # "…, da Kiev, …"
_AUTHOR_SMALL = frozenset(
    "de di da del della dei degli delle dal dall dalla van von la le e".split()
)


def canonical_author(name: str | None) -> str | None:
    """The one spelling of a byline: "di Mario Rossi", "MARIO ROSSI", "mario rossi, inviato a
    Kiev" all give "Mario Rossi"; "A CURA DELLA REDAZIONE WEB" gives "Redazione Web"; several
    authors ("A e B", "A, B") are listed "A, B". Placeholders ("undefined") give None."""
    if name is None:
        return None
    text = " ".join(str(name).replace("’", "'").split())
    text = _EMAIL_NOTE_RE.sub("", text)
    text = _NOTE_RE.sub("", text)
    text = _CREDITS_RE.sub("", text)
    text = text.strip(" ()[]*,;-–—")
    if _fold(text) in _JUNK_NAMES:
        return None
    pieces = _SEPARATOR_RE.split(text)
    parts, separators = pieces[0::2], pieces[1::2]
    names: list[str] = []
    for i, part in enumerate(parts):
        following = parts[i + 1] if i + 1 < len(parts) else ""
        if (
            i < len(separators)
            and _AND_RE.fullmatch(separators[i])
            and re.fullmatch(r"[^\W\d_]+", part)
            and part[:1].isupper()
            and _fold(part) not in {"redazione", "inviato", "inviata", "corrispondente"}
            and len(following.split()) >= 2
        ):
            # "Giorgio e Caterina Calabrese": a lone first name shares the next surname.
            parts[i + 1] = f"{part}{separators[i]}{following}"
            continue
        person = _one_author(part)
        if person and names and names[-1].startswith("Redazione") and _fold(person) in _DESKS:
            person = f"Redazione {person}"  # "Redazione Online e Esteri"
        if person and _fold(person) not in {_fold(n) for n in names}:
            names.append(person)
    return ", ".join(names) or None


def _one_author(part: str) -> str | None:
    part = re.sub(r"(?i)^(?:e|ed|and)\s+|\s+(?:e|ed|and)$", "", part.strip(" ()[]*,;-–—"))
    part = _LEAD_IN_RE.sub("", part)
    part = _ROLE_RE.sub("", part).strip(" ()[]*,;-–—")
    part = re.sub(r"(?i)^(?:e|ed|and)\s+", "", part)
    part = _RED_RE.sub("Redazione ", part).strip()
    if not part or _fold(part) in _JUNK_NAMES or not any(c.isalpha() for c in part):
        return None
    if _PLACE_PART_RE.match(part):
        return None
    desk = re.match(r"(?i)^(?:la\s+)?redazione\b\s*(.*)$", part)
    if desk:
        rest = desk.group(1)
        outlet = canonical_source(rest) if rest else None
        if outlet in {canonical for canonical, _, _ in OUTLETS}:
            return f"Redazione {outlet}"  # "Redazione Repubblica.it" → "Redazione la Repubblica"
        return " ".join(["Redazione", *[_desk_word(w) for w in rest.split()]])
    # "D'orsi" as "D'Orsi": the surname after an elided D' or L' is capitalised.
    part = re.sub(r"\b([DL])'([a-zà-ÿ])", lambda m: f"{m[1]}'{m[2].upper()}", part)
    by_key, _ = _outlet_tables()
    outlet = by_key.get(_name_key(part))
    if outlet and (" " not in part or part.isupper() or part.islower()):
        return outlet  # an agency signing the piece: "agi", "ANSA"
    return _display_case(part, _AUTHOR_SMALL)


def _desk_word(word: str) -> str:
    """A word of a desk name: "web" → "Web", "FqMagazine" stays, a domain in lowercase."""
    if word.lower() in {"di", "del", "della", "e"}:
        return word.lower()
    if "." in word.strip("."):
        return word.lower()
    return _capitalise(word) if word.islower() or word.isupper() else word


# A signature closing an article: "(Mario Rossi)", "(A. Setti)" or "(a. setti)" as the last
# words, before an optional "©RIPRODUZIONE RISERVATA". Initials and short cuts ("(s. to)",
# "(al. sci.)", "(d. mon)") name nobody a reader knows, and lowercase words may be text
# ("(nella foto)"): they give nothing.
_SIGNATURE_RE = re.compile(
    r"\((?P<name>[A-ZÀ-Ý][a-zà-ÿ'’]+(?:\s+[A-ZÀ-Ý][a-zà-ÿ'’]+){1,2}"
    r"|[A-ZÀ-Ý][a-zà-ÿ]?\.\s?[A-ZÀ-Ý][a-zà-ÿ'’]{3,}|[a-zà-ÿ]{1,2}\.\s?[a-zà-ÿ'’]{4,})\)"
    r"\s*(?i:©\s*riproduzione riservata|\[finetesto\])?\s*[—–-]?\s*$"
)


def author_from_signature(body: str) -> str | None:
    """The author a closing signature in parentheses names: "(Mario Rossi)", "(a. setti)"."""
    match = _SIGNATURE_RE.search(body[-200:])
    return canonical_author(match.group("name")) if match else None


def canonical_filter_value(field: str, value: str) -> str:
    """A filter value in the form the index stores, so every variant of a name finds its
    articles: ``source`` and ``author`` values are canonicalised, other filters (``year``) and
    values with no canonical form are kept as given."""
    normalise = {"source": canonical_source, "author": canonical_author}.get(field)
    return (normalise(value) if normalise else None) or value
