"""A sheet's 試算: the government it is scaled to (as the case page and the API take it) and how it is worded.

services/sheets.py lays the sheet out; the effects' values per resident and 試算 come from
services/cases.effect_figures, which computes them only for effects that scale (domain/scaling.py).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from sqlmodel import Session

from .. import domain
from ..errors import InvalidInput
from ..models import Case
from . import cases, references


def sheet_reference(session: Session, query: Mapping[str, str], cookie: str | None) -> domain.Reference | None:
    """The government a sheet is scaled to, as the case page and the API take it: ?municipality=CODE,
    ?population=N, else the visitor's chosen government (cookie); InvalidInput for a bad argument."""
    code = (query.get("municipality") or "").strip()
    typed = (query.get("population") or "").strip()
    population = None
    if typed:
        digits = unicodedata.normalize("NFKC", typed).replace(",", "")
        if not digits.isdigit() or not 1 <= int(digits) <= 50_000_000:
            raise InvalidInput("試算の条件に誤りがあります。", [("population", "人口は1〜5,000万の整数で指定してください。")])
        population = int(digits)
    if code and not re.fullmatch(r"[0-9]{6}", code):
        raise InvalidInput("試算の条件に誤りがあります。", [("municipality", "団体コードは6桁の数字で指定してください。")])
    return references.resolve_reference(session, code or None, population, cookie)


def reference_texts(reference: domain.Reference | None, case: Case) -> tuple[str, str]:
    """The chosen government as printed, and how its 試算 is computed ('' and '' without one)."""
    if reference is None:
        return "", ""
    target = f"{reference.name}の人口" if reference.name else "入力した人口"
    basis = cases.population_basis(case.participants)
    return (f"{reference.name}（人口{reference.population:,}人）" if reference.name else f"人口{reference.population:,}人",
            f"※ 試算は「効果の数値 ÷ {basis} × {target}（{reference.population:,}人）」で計算した目安で、"
            "実際の効果を示すものではありません。割合（%）・施設数・一時的な費用・1件あたりの時間・1人未満の人員など、"
            "人口に比例しない効果には計算しません。人員の試算が1人に満たないときは「1人未満」と示します。")
