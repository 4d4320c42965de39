"""Article ids in URLs: any id survives the round trip through a link, a browser and the router.

Plain ids are percent-encoded as one path segment. Ids a browser or the router would change
(``a/../b``, ``.``, ``..``, a backslash, a leading ``~``) are written as ``~`` + base64url of
the id, so a link can never resolve to another page.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote

from werkzeug.routing import BaseConverter

SLUG_PREFIX = "~"


def needs_slug(article_id: str) -> bool:
    return (
        article_id in ("", ".", "..")
        or article_id.startswith(SLUG_PREFIX)
        or "/" in article_id
        or "\\" in article_id
        or not article_id.isprintable()
    )


def id_to_segment(article_id: str) -> str:
    """The URL path segment for an article id."""
    if needs_slug(article_id):
        encoded = base64.urlsafe_b64encode(article_id.encode("utf-8", "surrogatepass"))
        return SLUG_PREFIX + encoded.decode("ascii").rstrip("=")
    return quote(article_id, safe="!$&'()*+,:;=@")


def segment_to_id(segment: str) -> str:
    """The article id of a path segment (the router has already percent-decoded it)."""
    if segment.startswith(SLUG_PREFIX):
        body = segment[len(SLUG_PREFIX) :]
        try:
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")
        except (binascii.Error, ValueError):
            return segment
    return segment


class ArticleIdConverter(BaseConverter):
    """``<article_id:name>``: like ``path`` (old links with a slash still match), encoded safely."""

    regex = "[^/].*?"
    part_isolating = False

    def to_python(self, value: str) -> str:
        return segment_to_id(value)

    def to_url(self, value: str) -> str:
        return id_to_segment(str(value))
