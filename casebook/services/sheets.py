"""Printable case sheets: the data of one A4 page per case, its QR code, and the PDF.

A sheet must fit on one A4 page, in WeasyPrint (the PDF) and in a browser's print alike, so
the page is planned here rather than left to the layout engine: every block that can grow
(title, participants, texts, effects, contact, source) gets an estimated height from the
metrics of casebook/static/sheet.css, lists are capped, and the long texts share what room
is left — a text that does not fit is shortened and ends with a mark pointing to the case's
web page. The estimate is conservative (Latin letters count wider than they are, a line holds
one character fewer than it could, a safety margin is kept; measured, it runs 4–5 mm above
both WeasyPrint and Chromium); tests render the worst cases through both. Should it ever be
wrong, sheet.css clips the sheet at the page's end rather than spill onto a second page.
Keep the constants below in step with sheet.css.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from sqlmodel import Session

from .. import domain, search
from ..errors import CasebookError
from ..models import Case
from ..web import CENSUS_CREDIT
from . import cases, sheet_scaling
from .sheet_plan import (
    CONTACT_LINES,
    EFFECT_EM,
    EFFECT_LINES,
    EVENT_LINES,
    MAX_EFFECTS,
    MAX_PARTICIPANTS,
    MIN_ROWS,
    MIN_TEXT_LINES,
    MIN_TEXT_ROOM,
    NAME_EM,
    NAME_LINES,
    PAGE_MM,
    SAFETY_MM,
    SOURCE_LINES,
    TEXT_EM,
    TEXT_LINE_MM,
    TITLE_EM,
    TITLE_LINES,
    WIDE_EM,
    fixed_height,
    line_count,
    share_lines,
    shorten,
)

# Sheets in one batch; a larger search is cut with a note asking to narrow it. A PDF page
# costs about 0.2 s of CPU (104 pages took 23 s), so visitors get fewer than signed-in users.
MAX_BATCH = 30
MAX_BATCH_SIGNED_IN = 200
JST = ZoneInfo("Asia/Tokyo")
POPULATION_CREDIT = f"人口（速報値）の{CENSUS_CREDIT}"
SECTIONS = (("summary", "概要"), ("background", "背景"), ("approach", "取組内容"), ("outcome", "成果"))
SHEET_CSS = Path(__file__).resolve().parent.parent / "static" / "sheet.css"

class PdfUnavailable(CasebookError):
    """The server cannot render PDFs (its rendering libraries are missing)."""

    status = 503


# --- the sheet ------------------------------------------------------------------------

@dataclass
class SheetParticipant:
    """A participant as printed: role, name, prefecture, kind, population (year) and band."""

    role: str
    name: str
    prefecture: str
    kind: str
    population: int | None
    population_year: int | None
    band: str | None


@dataclass
class SheetEffect:
    """An effect as printed: label, kind, amount with its unit, direction, period and status; and, for a
    chosen government, its value per resident and its 試算 when it scales with population."""

    label: str
    kind: str
    amount: str
    direction: str
    period: str
    status: str
    scales: bool = False
    per_capita: str = ""            # "住民1人あたり 24.5万円"
    estimate: str = ""              # "約21.2億円", "1人未満"


@dataclass
class SheetText:
    """One long text (概要, 背景…), possibly shortened."""

    key: str
    label: str
    text: str
    shortened: bool


@dataclass
class Sheet:
    """Everything one printed page of a case shows."""

    slug: str
    title: str
    url: str
    qr: str                         # data: URI of an SVG QR code for `url`
    outline: bool                   # 概要のみ
    themes: list[str]
    start_year: str                 # 和暦（西暦）
    population: int | None
    band: str | None
    participants: list[SheetParticipant]
    more_participants: int
    texts: list[SheetText]
    effects: list[SheetEffect]
    more_effects: int
    contact: str
    source: str
    event: str
    updated: date
    version: int
    census: bool                    # populations are shown: print the statistics credit
    printed: date
    shortened: list[str]            # labels of the parts cut to fit the page
    reference: str = ""             # the chosen government: "那須町（人口24,021人）", '' when none
    reference_note: str = ""        # how the 試算 is computed

    @property
    def scaled(self) -> list[SheetEffect]:
        """The printed effects that scale with population, with their 試算 (none without a reference)."""
        return [e for e in self.effects if e.estimate] if self.reference else []

    @property
    def not_scaled(self) -> int:
        """How many printed effects with a figure get no 試算 because they do not scale."""
        return sum(1 for e in self.effects if e.amount and not e.scales) if self.reference else 0

    @property
    def credit(self) -> str:
        """The statistics credit for the populations shown, or ''."""
        return POPULATION_CREDIT if self.census else ""

    @property
    def note(self) -> str:
        """The footnote saying what was shortened, or ''."""
        if not self.shortened:
            return ""
        return (f"※ 紙面の都合で{'・'.join(self.shortened)}の一部を省略しました。"
                "全文は掲載ページ（QRコード・URL）でご覧ください。")


def qr_data_uri(url: str) -> str:
    """Return an SVG QR code for `url` as a data: URI (error correction M, 2-module border)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(border=2, omitsize=True, dark="#000")


def _date_text(value: date | str | None) -> str:
    return domain.PartialDate.from_iso(value).label() if value else ""


def _one_source(source) -> str:
    title = source.title or source.url or ""
    details = "、".join(x for x in (source.publisher, _date_text(source.date)) if x)
    return f"{title}（{details}）" if title and details else title or details


def _source_text(case: Case) -> str:
    return "／".join(text for text in (_one_source(s) for s in case.sources) if text)


def _event_text(case: Case) -> str:
    when = _date_text(case.event_date)
    return f"{case.event_name}（{when}）" if case.event_name and when else case.event_name


def _local(moment: datetime) -> datetime:
    """A stored timestamp (UTC; SQLite gives it back naive) in Japan time."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(JST)


def _participant(p, bands: domain.Bands) -> tuple[SheetParticipant, bool]:
    name, cut = shorten(p.name, NAME_LINES, NAME_EM, "…")
    band = bands.band_of(p.population).label if p.population is not None and not domain.is_joint(p.kind) else None
    return SheetParticipant(domain.ROLES.get(p.role, p.role), name, p.prefecture or "",
                            domain.PARTICIPANT_KINDS.get(p.kind, p.kind), p.population, p.population_year, band), cut


def _effect(f: cases.EffectFigures) -> tuple[SheetEffect, bool]:
    # Amounts are never cut: a shortened figure would be a wrong one.
    e = f.effect
    label, cut = shorten(e.label, EFFECT_LINES, EFFECT_EM, "…")
    per_capita = f"{f.per_capita_basis} {f.per_capita}" if f.per_capita else ""
    return SheetEffect(label, domain.EFFECT_KINDS.get(e.kind, e.kind), e.amount,
                       domain.EFFECT_DIRECTIONS.get(e.direction, e.direction),
                       domain.EFFECT_PERIODS.get(e.period, e.period),
                       domain.EFFECT_STATUSES.get(e.status, e.status),
                       f.scaling.scales, per_capita, f.estimate or ""), cut


def _text_room(sheet: Sheet, texts: list[tuple[str, str, str]], needs: list[int]) -> float:
    """Millimetres left for the long texts (with room for the note, should they be cut)."""
    room = PAGE_MM - SAFETY_MM - fixed_height(sheet, len(texts))
    if sum(needs) * TEXT_LINE_MM > room:
        shortened = sheet.shortened
        sheet.shortened = shortened + [label for _key, label, _text in texts]   # the longest note
        room = PAGE_MM - SAFETY_MM - fixed_height(sheet, len(texts))
        sheet.shortened = shortened
    return room


def build_sheet(case: Case, url: str, themes: dict[str, str], bands: domain.Bands,
                printed: date | None = None, reference: domain.Reference | None = None) -> Sheet:
    """Lay out one case for one A4 page: cap the lists, shorten what does not fit.

    With a `reference` (the government chosen as on the case page), effects that scale with
    population get their value per resident and their 試算 for it.
    """
    title, title_cut = shorten(case.title, TITLE_LINES, TITLE_EM, "…")
    contact, contact_cut = shorten(case.contact or "", CONTACT_LINES, WIDE_EM)
    source, source_cut = shorten(_source_text(case), SOURCE_LINES, WIDE_EM)
    event, event_cut = shorten(_event_text(case), EVENT_LINES, WIDE_EM)
    people = [_participant(p, bands) for p in case.participants]
    effects = [_effect(f) for f in cases.effect_figures(case, reference)]
    total = domain.total_population(case.participants)
    chosen, chosen_note = sheet_scaling.reference_texts(reference, case)
    sheet = Sheet(
        slug=case.slug, title=title, url=url, qr=qr_data_uri(url), outline=case.detail == "outline",
        themes=[themes.get(t, t) for t in case.themes], start_year=domain.fiscal_year_label(case.start_fiscal_year),
        population=total, band=bands.band_of(total).label if total is not None else None,
        participants=[], more_participants=0, texts=[], effects=[], more_effects=0,
        contact=contact, source=source, event=event, updated=_local(case.updated_at).date(), version=case.version,
        census=reference is not None or any(p.population is not None for p in case.participants),
        printed=printed or datetime.now(JST).date(), shortened=[], reference=chosen, reference_note=chosen_note)
    texts = [(key, label, (getattr(case, key) or "").strip()) for key, label in SECTIONS]
    texts = [t for t in texts if t[2]]
    needs = [line_count(text, TEXT_EM) for _key, _label, text in texts]
    # Fewer rows of participants and effects (the longer list first) until the texts have room.
    rows_p, rows_e = min(len(people), MAX_PARTICIPANTS), min(len(effects), MAX_EFFECTS)
    while True:
        sheet.participants = [p for p, _cut in people[:rows_p]]
        sheet.effects = [e for e, _cut in effects[:rows_e]]
        sheet.more_participants, sheet.more_effects = len(people) - rows_p, len(effects) - rows_e
        sheet.shortened = [label for label, cut in (
            ("事例名", title_cut), ("参加団体名", any(c for _p, c in people[:rows_p])),
            ("効果の項目", any(c for _e, c in effects[:rows_e])), ("問い合わせ先", contact_cut),
            ("出典", source_cut), ("発表の場", event_cut)) if cut]
        room = _text_room(sheet, texts, needs)
        comfortable = room >= min(sum(needs), MIN_TEXT_ROOM) * TEXT_LINE_MM
        bare = room >= min(sum(needs), MIN_TEXT_LINES * len(texts)) * TEXT_LINE_MM
        if comfortable or (bare and max(rows_p, rows_e) <= MIN_ROWS) or max(rows_p, rows_e) <= 1:
            break
        if rows_p >= rows_e:
            rows_p -= 1
        else:
            rows_e -= 1
    budget = max(MIN_TEXT_LINES * len(texts), int(room // TEXT_LINE_MM))
    for (key, label, text), lines in zip(texts, share_lines(needs, budget), strict=True):
        short, cut = shorten(text, max(lines, 1), TEXT_EM)
        sheet.texts.append(SheetText(key, label, short, cut))
        if cut:
            sheet.shortened.append(label)
    return sheet


def case_sheet(session: Session, slug: str, case_url: Callable[[str], str], bands: domain.Bands,
               reference: domain.Reference | None = None) -> Sheet:
    """The sheet of one published case (NotFound otherwise), with 試算 for `reference` when given."""
    case = cases.get_case(session, slug)
    return build_sheet(case, case_url(case.slug), cases.theme_labels(session), bands, reference=reference)


# --- a batch: every result of a search -------------------------------------------------

@dataclass
class SheetBatch:
    """The sheets of a search's results, with the conditions that found them."""

    sheets: list[Sheet]
    total: int                      # results of the search (may exceed the sheets)
    conditions: list[tuple[str, str]]
    notes: list[str]
    printed: date


def _conditions(args: search.SearchArgs, themes: dict[str, str], bands: domain.Bands) -> list[tuple[str, str]]:
    label = search.facet_label(themes, bands)
    out = [("キーワード", args.q)] if args.q else []
    for facet in search.facet_names():
        if args.filters.get(facet):
            out.append((search.FACET_LABELS[facet], "、".join(label(facet, v) for v in args.filters[facet])))
    if args.reference is not None and args.sort == "similar":
        ref = args.reference
        out.append(("基準", f"{ref.name}（{ref.population:,}人）" if ref.name else f"人口 {ref.population:,}人"))
    out.append(("並び順", search.SORTS.get(args.sort, args.sort)))
    return out


def batch_limit(signed_in: bool) -> int:
    """The most sheets one batch holds: MAX_BATCH for visitors, MAX_BATCH_SIGNED_IN for curators."""
    return MAX_BATCH_SIGNED_IN if signed_in else MAX_BATCH


def search_sheets(session: Session, index: search.SearchIndex, args: search.SearchArgs,
                  case_url: Callable[[str], str], limit: int | None = None) -> SheetBatch:
    """A sheet for every result of a search (the first `limit`, MAX_BATCH by default), in its order."""
    limit = limit or MAX_BATCH
    page = search.search_cases(session, index, dataclasses.replace(args, page=1, size=limit), whole=True)
    themes = cases.theme_labels(session)
    printed = datetime.now(JST).date()
    sheets = [build_sheet(hit.case, case_url(hit.case.slug), themes, index.bands, printed, page.args.reference)
              for hit in page.hits]
    notes = list(page.result.notes)
    if page.result.total > limit:
        notes.append(f"検索結果は{page.result.total:,}件ありますが、一度に印刷できるのは先頭の{limit}件までです。"
                     "条件を絞り込んで分けて印刷してください。")
    return SheetBatch(sheets, page.result.total, _conditions(page.args, themes, index.bands), notes, printed)


# --- PDF ------------------------------------------------------------------------------

def render_pdf(html: str) -> bytes:
    """Render sheet HTML to PDF with WeasyPrint, fonts embedded; nothing is fetched from outside."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:   # OSError: Pango or its fonts are not installed
        raise PdfUnavailable("PDFを作成できません（サーバーに必要な部品がありません）。"
                             "印刷用ページをブラウザで印刷するか、管理者に連絡してください。") from exc
    # Only data: URIs (the QR code) may be loaded; the stylesheet is read from the package.
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    stylesheet = weasyprint.CSS(filename=str(SHEET_CSS), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])
