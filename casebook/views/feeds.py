"""The Atom feed of a search: /cases.atom takes the arguments of /cases (services/feeds.py).

Atom 1.0 (RFC 4287), built with ElementTree so that every text is escaped. The feed's id is the
search's address with its arguments sorted (without page, size or sort); an entry's id is a tag:
URI of the case's slug, which editing a case never changes. A wrong argument gets the search
page's messages, as a short text (400).
"""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, request, url_for

from .. import ratelimit, search
from ..db import get_session
from ..errors import InvalidInput
from ..services import feeds
from ..web import CENSUS_CREDIT

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "application/atom+xml"
AUTHOR = "内閣府（先進事例データベース casebook）"
# The date part of every tag: URI (RFC 4151). Fixed, so that an entry keeps its id when the cases
# are loaded into a new database.
TAG_DATE = "2018"
# Characters XML 1.0 cannot carry at all (most control characters): dropped from every text.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DNS_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {name: _clean(value) for name, value in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _time(value: datetime) -> str:
    """RFC 3339 in UTC: 2026-12-01T19:23:10Z."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _authority() -> str:
    """The tag: URIs' authority: the host the feed was asked for, without its port."""
    host = request.host.lower()
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return host if _DNS_NAME.fullmatch(host) else "casebook.invalid"


def _params(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(pairs)}" if pairs else url


def render(feed: feeds.Feed) -> bytes:
    """The feed as an Atom document (UTF-8, with its XML declaration)."""
    search_url = url_for("public.search_cases", _external=True)
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "ja"})
    _add(root, "id", _with_query(search_url, feed.params))
    _add(root, "title", feed.title)
    _add(root, "subtitle", f"この検索に合う公開中の事例のうち、公開・更新の新しい{feeds.FEED_SIZE}件まで")
    _add(root, "updated", _time(feed.updated))
    _add(root, "link", rel="self", type=MEDIA, href=_with_query(url_for("feeds.search_feed", _external=True), feed.params))
    _add(root, "link", rel="alternate", type="text/html",
         href=_with_query(search_url, [*feed.params, ("sort", "newest")]))
    author = _add(root, "author")
    _add(author, "name", AUTHOR)
    _add(author, "uri", url_for("public.home", _external=True))
    _add(root, "rights", f"人口データの{CENSUS_CREDIT}")
    _add(root, "generator", "casebook", uri=url_for("public.about", _external=True))
    authority = _authority()
    for entry in feed.entries:
        element = _add(root, "entry")
        _add(element, "id", f"tag:{authority},{TAG_DATE}:case/{entry.slug}")
        _add(element, "title", entry.title, type="text")
        _add(element, "link", rel="alternate", type="text/html",
             href=url_for("public.show_case", slug=entry.slug, _external=True))
        _add(element, "updated", _time(entry.updated))
        _add(element, "summary", entry.summary, type="text")
        for category in entry.categories:
            _add(element, "category", term=category.term, label=category.label,
                 scheme=f"{search_url}?{category.facet}=")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _refusal(exc: InvalidInput) -> Response:
    lines = [exc.message, *(f"{search.FACET_LABELS.get(name.split('[')[0], name)}: {message}"
                            for name, message in exc.errors)]
    return Response("\n".join(lines) + "\n", status=400, mimetype="text/plain")


@bp.get("/cases.atom")
def search_feed():
    """The newest published or updated cases of a search, as Atom; 304 for an unchanged feed (If-None-Match)."""
    ratelimit.count("HTML_RATE_LIMIT", ratelimit.page_client())
    session = get_session()
    try:
        feed = feeds.search_feed(session, search.get_index(), search.parse_args(request.args))
    except InvalidInput as exc:
        return _refusal(exc)
    body = render(feed)
    etag = hashlib.sha256(body).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype=MEDIA)
        response.headers["Content-Type"] = f"{MEDIA}; charset=utf-8"
    response.set_etag(etag)
    response.last_modified = feed.updated
    return response


@bp.app_template_global()
def feed_link(page: search.CasePage) -> dict[str, str]:
    """The feed of the search a page shows: {url, title}, for the page's head and its visible link."""
    params = feeds.feed_params(page.args)
    return {"url": url_for("feeds.search_feed", **_params(params)), "title": feeds.feed_title(page)}
