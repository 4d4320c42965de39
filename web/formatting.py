"""Italian formatting for the templates: 10.372 articoli, 0,02 s, 11 aprile 2025."""

from __future__ import annotations

import datetime

from flask import Flask, request, url_for

from search.articles import safe_url

MONTHS = (
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre"
).split()


def number(value: int | float, decimals: int = 0) -> str:
    """``10372`` -> ``10.372``; ``0.0213, 2`` -> ``0,02``."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def italian_date(value: datetime.date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def seconds(milliseconds: float) -> str:
    return number(milliseconds / 1000, 2) + " s"


def plural(count: int, one: str, many: str) -> str:
    return f"{number(count)} {one if count == 1 else many}"


def url_with(**changes) -> str:
    """This page's URL with some arguments changed (None removes one); page resets unless given."""
    args = request.args.to_dict()
    if "page" not in changes:
        args.pop("page", None)
    for name, value in changes.items():
        if value is None or value == "":
            args.pop(name, None)
        else:
            args[name] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def http_url(value: str | None) -> str | None:
    """The URL when it may be a link (http or https), else None: ingestion already drops the
    others, this keeps an index built by an older version from producing one."""
    return safe_url(value)[0]


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        number=number, italian_date=italian_date, seconds=seconds, http_url=http_url
    )
    app.jinja_env.globals.update(plural=plural, url_with=url_with)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
