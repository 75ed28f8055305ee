"""The reference government (or population) a visitor compares cases with: chosen, remembered in a cookie."""
from __future__ import annotations

import dataclasses
import re

from sqlmodel import Session

from .. import domain, search
from ..errors import InvalidInput, NotFound
from ..models import Municipality
from . import municipalities

COOKIE = "casebook_ref"


def reference_cookie(reference: domain.Reference) -> str:
    """The cookie value that remembers a chosen government (m:CODE) or population (p:N)."""
    return f"m:{reference.code}" if reference.code else f"p:{reference.population}"


def resolve_reference(session: Session, code: str | None = None, population: int | None = None,
                      cookie: str | None = None) -> domain.Reference | None:
    """Return the reference named by a code or a population, else by the cookie, else None.

    An unknown code given explicitly is an error; a stale or forged cookie is ignored.
    """
    if code:
        try:
            m = municipalities.get_municipality(session, code)
        except NotFound as exc:
            raise InvalidInput("基準の団体が見つかりません。", [("municipality", exc.message)]) from exc
        return domain.Reference(m.population, m.name, m.code, m.prefecture, m.population_year)
    if population:
        return domain.Reference(population)
    if cookie:
        kind, _, value = cookie.partition(":")
        if kind == "m" and re.fullmatch(r"[0-9]{6}", value):
            m = session.get(Municipality, value)
            if m is not None:
                return domain.Reference(m.population, m.name, m.code, m.prefecture, m.population_year)
        if kind == "p" and value.isdigit() and 1 <= int(value) <= 50_000_000:
            return domain.Reference(int(value))
    return None


def with_reference(session: Session, args: search.SearchArgs, cookie: str | None = None) -> search.SearchArgs:
    """Attach the reference government or population to search arguments."""
    reference = resolve_reference(session, args.ref_params.get("municipality"),
                                  args.ref_params.get("population"), cookie)
    return dataclasses.replace(args, reference=reference)
