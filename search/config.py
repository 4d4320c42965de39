"""Settings, declared once: name, default and help, read from ``RASSEGNA_*`` environment variables.

Nothing is read at import time: call :func:`get` (or :func:`settings`) when the value is needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from search.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env(self) -> str:
        return "RASSEGNA_" + self.name.upper()


SETTINGS = [
    Setting(
        "index", str(PROJECT_ROOT / "index"), "Index directory (holds `current` and the builds)."
    ),
    Setting("seeds", str(PROJECT_ROOT / "seeds"), "Articles `rassegna index` reads by default."),
    Setting("host", "127.0.0.1", "Address `rassegna serve` binds to."),
    Setting("port", "8000", "Port `rassegna serve` binds to."),
    Setting("workers", "2", "Gunicorn worker processes for `rassegna serve`."),
    Setting(
        "cors_origins", "", "Comma-separated origins allowed to call the JSON API (empty: no CORS)."
    ),
    Setting(
        "base_url",
        "",
        "Public address of the site (https://news.example.org), for the absolute links of the "
        "Atom feed; empty: relative links, never the request's Host header.",
    ),
]
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str, environ: dict[str, str] | None = None) -> str:
    """Return the setting from the environment (``RASSEGNA_NAME``) or its default."""
    setting = _BY_NAME[name]
    env = os.environ if environ is None else environ
    value = env.get(setting.env, "")
    return value if value.strip() else setting.default


def index_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The explicit directory, else ``RASSEGNA_INDEX``, else the project's ``index/``."""
    return Path(explicit if explicit else get("index")).expanduser().resolve()


def base_url(environ: dict[str, str] | None = None) -> str:
    """``RASSEGNA_BASE_URL`` without its trailing slash; '' when unset; an error if not http(s)."""
    value = get("base_url", environ).strip().rstrip("/")
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ConfigError(
                f"RASSEGNA_BASE_URL must be an http(s) address like https://news.example.org; "
                f"got {value!r}."
            )
    return value


def seeds_dir() -> Path:
    """The default sources for ``rassegna index``."""
    return Path(get("seeds")).expanduser().resolve()
