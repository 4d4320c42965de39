"""Cleaning of scraped news text and derivation of its metadata (title, author, outlet, date).

Scraped pages arrive as plain text with markdown remnants, site boilerplate, repeated headlines,
photo captions, bylines and author bios mixed into the article. `clean_scraped_text` keeps the
article's paragraphs and moves what it recognises into metadata. Every heuristic works line by
line or paragraph by paragraph and only drops a line when the whole line matches, so real text
is never cut in the middle.
"""

from __future__ import annotations

import datetime
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from search.metadata import article_date, parse_date, publication_line_date

__all__ = [
    "CleanedText",
    "clean_scraped_text",
    "derive_title",
    "ends_sentence",
    "normalize_paragraphs",
    "parse_date",
    "strip_markdown",
]

# --- paragraphs -----------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES_RE = re.compile(r"[^\S\n]+")
# A paragraph that ends a sentence: terminal punctuation, possibly inside quotes or brackets.
_TERMINAL_RE = re.compile(r"[.!?…][\"'”’»)\]]*$")


@lru_cache(maxsize=1)
def _control_re() -> re.Pattern[str]:
    """Every assigned character of Unicode category C (control, format, surrogate, private use)
    except the newline, as one character class: a regex pass instead of a Python loop per char."""
    ranges: list[tuple[int, int]] = []
    for cp in range(sys.maxunicode + 1):
        if cp != 10 and unicodedata.category(chr(cp)) in ("Cc", "Cf", "Cs", "Co"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    body = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{body}]")


def _normalize_text(text: str) -> str:
    """Unify newlines, drop invisible characters and control characters, keep line structure."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    text = _control_re().sub(" ", text)
    return _SPACES_RE.sub(" ", unicodedata.normalize("NFC", text))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def ends_sentence(text: str) -> bool:
    """True when `text` ends with terminal punctuation (quotes and brackets may follow it)."""
    return bool(_TERMINAL_RE.search(text.rstrip()))


def _continues(previous: str, following: str) -> bool:
    """A paragraph break that cuts a sentence: no terminal punctuation, lowercase next word."""
    return not ends_sentence(previous) and following[:1].islower()


def _has_blank_separators(texts: list[str]) -> bool:
    content = [i for i, text in enumerate(texts) if text]
    return bool(content) and any(not texts[i] for i in range(content[0], content[-1]))


def _blocks(lines: list[str]) -> list[str]:
    """Group lines into paragraphs: blank lines separate them when the text has any,
    otherwise every line is a paragraph (some scrapes put one paragraph per line)."""
    if not _has_blank_separators([line.strip() for line in lines]):
        return [_collapse(line) for line in lines if line.strip()]
    blocks, current = [], []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(_collapse(" ".join(current)))
            current = []
    return blocks


def _join_broken(paragraphs: list[str]) -> list[str]:
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and _continues(joined[-1], paragraph):
            joined[-1] = f"{joined[-1]} {paragraph}"
        else:
            joined.append(paragraph)
    return joined


def normalize_paragraphs(text: str) -> list[str]:
    """Split text into paragraphs with whitespace normalised; no content is dropped.

    Paragraphs are separated by blank lines (single newlines inside one become spaces); text
    without any blank line has one paragraph per line. A paragraph that a break cut
    mid-sentence (no terminal punctuation, next one starts lowercase) is joined back.
    """
    lines = _normalize_text(text).split("\n")
    return _join_broken(_blocks(lines))


# --- titles ---------------------------------------------------------------------------------

TITLE_MAX_WORDS = 15  # a lead sentence up to this long becomes the title whole
TITLE_CUT_WORDS = 14  # longer ones are cut to at most this many words, then "…"
HEADLINE_MAX_WORDS = 20
_TRAILING_FILLERS = frozenset(
    "il lo la i gli le un uno una di a da in con su per tra fra e ed o od che del dello della "
    "dei degli delle al allo alla ai agli alle dal dallo dalla dai dagli dalle nel nello nella "
    "nei negli nelle sul sullo sulla sui sugli sulle non ma se come più anche".split()
)
# End of the first sentence: terminal punctuation (and closing quotes) before an uppercase
# letter or an opening quote; avoids cutting at "U.S." or decimals.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+(?=[\"“«'‘(]?[A-ZÀ-ÖØ-Þ0-9])")


_ABBREVIATIONS = frozenset("sig sigg dott dr prof ing avv on ecc art nn pag cfr st mr".split())


def _first_sentence(text: str) -> str:
    for match in _SENTENCE_END_RE.finditer(text):
        before = text[: match.start()].rstrip(".")
        last_word = before.rsplit(maxsplit=1)[-1] if before.split() else ""
        # "U.S." or "Dott." end a word, not the sentence.
        if len(last_word.split(".")[-1]) <= 1 or last_word.casefold() in _ABBREVIATIONS:
            continue
        return before if text[match.start() - 1] == "." else text[: match.start()]
    return text


def derive_title(body: str) -> str:
    """A title from the lead sentence of `body`, cut at a clause or word boundary with "…"."""
    paragraphs = normalize_paragraphs(body)
    if not paragraphs:
        return ""
    sentence = _first_sentence(paragraphs[0]).strip()
    words = sentence.split()
    if len(words) <= TITLE_MAX_WORDS:
        return re.sub(r"[.;:,]+$", "", sentence)
    words = words[:TITLE_CUT_WORDS]
    # Prefer ending at a comma (a clause boundary) when one falls in the second half.
    for i in range(len(words) - 1, len(words) // 2, -1):
        if words[i].endswith(","):
            words = words[: i + 1]
            break
    while len(words) > 1 and (
        words[-1].lower().strip(",;:") in _TRAILING_FILLERS or words[-1].endswith(("'", "’"))
    ):
        words.pop()
    return " ".join(words).rstrip(",;:—–- ") + "…"


# --- scraped text ---------------------------------------------------------------------------

_IMAGE_RE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK_RE = re.compile(r"\[([^\]\n]+)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_BOLD_RE = re.compile(r"(?<!\*)\*\*(?![\s*])([^*\n]+?)(?<![\s*])\*\*(?!\*)")
_UNDERLINE_BOLD_RE = re.compile(r"(?<!\w)__(?![\s_])([^_\n]+?)(?<![\s_])__(?!\w)")
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?![\w*])")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_LIST_OR_QUOTE_RE = re.compile(r"^\s{0,3}(?:>\s?|[-*+]\s+(?=\S))")
_RULE_RE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")

# Whole lines that are site furniture, never article text (compared casefolded, without a
# trailing colon). Section subheads such as "Raggruppamenti" are kept: only known labels go.
BOILERPLATE_LINES = frozenset(
    _collapse(label)
    for label in """annuncio | pubblicità | pubblicita | advertisement | sponsor |
    contenuto sponsorizzato | articoli correlati | articolo correlato | ultimi articoli |
    ultime notizie | leggi anche |
    leggi di più | leggi tutto | potrebbe interessarti | ti potrebbe interessare | più letti |
    i più letti | condividi | condividi su facebook | condividi su twitter | tweet |
    iscriviti alla newsletter | iscriviti | abbonati | continua a leggere | torna su |
    commenti | lascia un commento | tag | tags | foto | video | galleria fotografica |
    riproduzione riservata | © riproduzione riservata""".split("|")
)

# A line this long is running text: the header (headline, byline, date line) is over.
HEADER_MAX_WORDS = 20

_NAME = r"[A-ZÀ-ÖØ-Þ][\w’'.-]+(?:\s+(?:de|di|da|del|della|van|von|la|le|[A-ZÀ-ÖØ-Þ][\w’'.-]+)){1,3}"
# Names stay case-sensitive (capitalised words); only the lead-in words ignore case.
_BYLINE_RE = re.compile(rf"^\[?\s*(?i:di|by|a cura di)\s+({_NAME})\s*\]?$")
_NAME_RE = re.compile(rf"^{_NAME}$")
# A photo credit ending a caption line: "[Gavriil Grigorov/Sputnik/Pool via Reuters]",
# "(Foto ANSA)", or a line "Foto: Getty Images". Parentheses need the word "foto": "(km/h)" at
# the end of a paragraph is text.
_CREDIT_RE = re.compile(
    r"(?:\[[^\]]*(?:/|\bvia\b)[^\]]*\]|\(\s*(?:foto|photo|ph\.|credit)\b[^)]*\)"
    r"|^(?:foto|photo|credit)\s*:.*)\s*$",
    re.IGNORECASE,
)
_BIO_HINT_RE = re.compile(
    r"\b(?:classe \d{4}|nat[oa] (?:a|nel|il)\b|giornalista|collabora con|scrive per|"
    r"laureat[oa]|redattore|redattrice|corrispondente)",
    re.IGNORECASE,
)
_OUTLET = r"([A-ZÀ-ÖØ-Þ][\w’'.-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w’'.-]*){0,3})"
_BIO_OUTLET_RE = re.compile(
    rf"\b(?i:collabora con|scrive per|lavora per|(?:giornalista|redattore|redattrice|"
    rf"firma|corrispondente) (?:di|per|del|della))\s+{_OUTLET}"
)


@dataclass
class CleanedText:
    """The article found in a scraped text, and the metadata recognised around it."""

    paragraphs: list[str]
    title: str
    title_derived: bool
    author: str | None = None
    source: str | None = None
    # Publication lines ("Pubblicato il …", a line that is only a date) the page printed around
    # its headline, taken out of the text; `search.metadata.article_date` reads them.
    date_lines: list[str] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)  # which paragraphs are subheadings

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def date(self) -> datetime.date | None:
        """The article's own date as far as the text alone tells (no record field, no url)."""
        return article_date(date_lines=self.date_lines, body=self.body)


@dataclass
class _Line:
    text: str
    heading: bool = False

    def remove(self) -> None:
        """Take the line out; it still ends the paragraph before it, like a blank line."""
        self.text = ""


def strip_markdown(line: str) -> str:
    """Remove inline markdown from one line: links keep their text, emphasis its content."""
    line = _IMAGE_RE.sub("", line)
    line = _LINK_RE.sub(r"\1", line)
    line = _BOLD_RE.sub(r"\1", line)
    line = _UNDERLINE_BOLD_RE.sub(r"\1", line)
    return _ITALIC_RE.sub(r"\1", line)


def _comparable(text: str) -> str:
    """A form for spotting repeats: casefolded, quotes unified, punctuation-insensitive."""
    text = text.translate(str.maketrans("’‘“”«»", "''\"\"\"\""))
    return _collapse(re.sub(r"[^\w'\" ]", " ", text.casefold()))


def _is_headline_like(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= HEADLINE_MAX_WORDS
        and not re.search(r"[.:;,]$", text)
        and words[-1].casefold() not in _TRAILING_FILLERS
        and (text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"“«'‘")
    )


def _is_boilerplate(text: str) -> bool:
    return _collapse(text.casefold().rstrip(":").strip()) in BOILERPLATE_LINES


def _shares_words(line: str, paragraphs: list[str]) -> bool:
    """Whether at least half of the line's longer words occur in the text (a sanity check that
    a stray line is this article's headline, not a link to another one)."""
    words = {w for w in re.findall(r"\w{4,}", line.casefold()) if w not in _TRAILING_FILLERS}
    if not words:
        return False
    text = " ".join(paragraphs).casefold()
    return sum(1 for w in words if re.search(rf"\b{re.escape(w)}\b", text)) * 2 >= len(words)


def clean_scraped_text(text: str) -> CleanedText:
    """Find the article in scraped text: paragraphs, title, author, outlet and date."""
    lines = [_Line(line) for line in _normalize_text(text).split("\n")]
    # Decided on the page as given: lines removed below must not turn into paragraph breaks.
    blank_separated = _has_blank_separators([line.text.strip() for line in lines])
    for line in lines:
        heading = _HEADING_RE.match(line.text)
        if heading:
            line.text, line.heading = heading.group(1), True
        elif _RULE_RE.match(line.text):
            line.text = ""
        else:
            line.text = _LIST_OR_QUOTE_RE.sub("", line.text)
        line.text = _collapse(strip_markdown(line.text))

    author: str | None = None
    date_lines: list[str] = []
    in_header = True  # before the first line of running text (the page's header)
    for line in lines:
        if not line.text:
            continue
        if _is_boilerplate(line.text):
            line.remove()
        elif byline := _BYLINE_RE.match(line.text):
            author = author or byline.group(1)
            line.remove()
        elif _CREDIT_RE.search(line.text) and len(line.text.split()) <= 60:
            # A photo caption: not article text. Its date is the picture's, not the article's.
            line.remove()
        elif found := publication_line_date(line.text):
            # A bare date is the article's only in the header; lower down it may date anything
            # (a list of related articles). A labelled line ("Pubblicato il …") says whose it is.
            if in_header or found[0] != "date":
                date_lines.append(line.text)
            line.remove()
        elif len(line.text.split()) >= HEADER_MAX_WORDS:
            in_header = False

    # The headline: a short first line without a closing full stop that stands alone (its own
    # paragraph) or comes back later in the page, and that the next line does not continue.
    # Its repetitions inside the page go.
    headline: str | None = None
    content = [i for i, line in enumerate(lines) if line.text]
    if len(content) > 1:
        first, candidate = content[0], lines[content[0]].text
        repeats = [i for i in content[1:] if _comparable(lines[i].text) == _comparable(candidate)]
        alone = not blank_separated or not lines[first + 1].text
        if (
            _is_headline_like(candidate)
            and (alone or repeats)
            and not _continues(candidate, lines[content[1]].text)
        ):
            headline = candidate
            for i in [first, *repeats]:
                lines[i].remove()

    blocks = _group_lines(lines, blank_separated)
    source: str | None = None
    blocks, bio_author, source = _remove_author_bio(blocks)
    author = author or bio_author

    # A headline-like line that cuts a sentence in two was injected by the page layout; it is
    # the headline when the page had none at the top.
    kept: list[_Line] = []
    for i, block in enumerate(blocks):
        following = blocks[i + 1].text if i + 1 < len(blocks) else ""
        if (
            kept
            and following
            and _is_headline_like(block.text)
            and _continues(kept[-1].text, following)
        ):
            others = [b.text for b in blocks if b is not block]
            if headline is None and _shares_words(block.text, others):
                headline = block.text
            continue
        kept.append(block)

    paragraphs, headings = _join_blocks(kept)
    if headline:
        title, title_derived = headline, False
    else:
        title = derive_title("\n\n".join(paragraphs))
        title_derived = bool(title)
    return CleanedText(paragraphs, title, title_derived, author, source, date_lines, headings)


def _join_blocks(blocks: list[_Line]) -> tuple[list[str], list[int]]:
    """Paragraphs with the breaks that cut a sentence joined back; subheadings stay whole.

    Returns the paragraphs and the positions of the subheadings among them.
    """
    paragraphs: list[str] = []
    headings: list[int] = []
    for block in blocks:
        if block.heading:
            headings.append(len(paragraphs))
            paragraphs.append(block.text)
        elif (
            paragraphs
            and len(paragraphs) - 1 not in headings
            and _continues(paragraphs[-1], block.text)
        ):
            paragraphs[-1] = f"{paragraphs[-1]} {block.text}"
        else:
            paragraphs.append(block.text)
    return paragraphs, headings


def _group_lines(lines: list[_Line], blank_separated: bool) -> list[_Line]:
    """Paragraphs from lines, keeping headings apart (the author bio starts with one)."""
    blocks: list[_Line] = []
    open_block = False  # whether the next line continues the last block
    for line in lines:
        if not line.text:
            open_block = False
            continue
        if blank_separated and open_block and not line.heading:
            blocks[-1].text = f"{blocks[-1].text} {line.text}"
        else:
            blocks.append(_Line(line.text, line.heading))
        open_block = blank_separated and not line.heading
    return blocks


def _remove_author_bio(
    blocks: list[_Line],
) -> tuple[list[_Line], str | None, str | None]:
    """Drop a closing author bio (a name heading and a short biography) and read it.

    Returns the remaining blocks, the author's name and the outlet the bio names
    ("Collabora con L'Indipendente dal 2021" gives "L'Indipendente").
    """
    for i in range(len(blocks) - 1, max(len(blocks) - 4, 0) - 1, -1):
        block = blocks[i]
        if not block.heading or not _NAME_RE.match(block.text):
            continue
        bio = [b.text for b in blocks[i + 1:]]
        if not bio or len(bio) > 2 or not any(_BIO_HINT_RE.search(text) for text in bio):
            continue
        outlet = None
        for text in bio:
            match = _BIO_OUTLET_RE.search(text)
            if match:
                outlet = match.group(1).rstrip(".,;")
                break
        return blocks[:i], block.text, outlet
    return blocks, None, None
