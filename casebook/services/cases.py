"""Reading and writing cases: the one front door for HTML views, the API and the CLI."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from .. import case_fields, case_kinds, domain
from ..domain import scaling
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Case, CaseSource, Effect, Participant, Revision, Theme, User, utcnow
from ..search import changes
from . import audit

# Attribute names, from the registry: top-level fields (stored under their own name), row fields.
CASE_FIELDS = tuple(f.attr for f in case_fields.of(""))
PARTICIPANT_FIELDS = tuple(f.attr for f in case_fields.PARTICIPANTS.fields)
EFFECT_FIELDS = tuple(f.attr for f in case_fields.EFFECTS.fields)


def with_children():
    """Loader options that fetch sources, participants and effects with their cases."""
    return (selectinload(Case.sources), selectinload(Case.participants), selectinload(Case.effects))


def theme_labels(session: Session) -> dict[str, str]:
    """Return {theme code: label} in display order."""
    return {t.code: t.label for t in session.exec(select(Theme).order_by(Theme.position, Theme.code))}


def get_case(session: Session, slug: str, public: bool = True) -> Case:
    """Return the case with `slug`; unless `public` is False, only a published one."""
    case = session.exec(select(Case).where(Case.slug == slug).options(*with_children())).first()
    if case is None or (public and case.status != "published"):
        raise NotFound("指定された事例は見つかりません。")
    return case


def get_cases(session: Session, slugs: list[str]) -> list[Case]:
    """Return the cases with these slugs, in the order given (missing ones skipped)."""
    if not slugs:
        return []
    found = {c.slug: c for c in session.exec(select(Case).where(Case.slug.in_(slugs)).options(*with_children()))}
    return [found[s] for s in slugs if s in found]


def recent_cases(session: Session, limit: int = 5) -> list[Case]:
    """Return the most recently updated published cases."""
    stmt = (select(Case).where(Case.status == "published").options(*with_children())
            .order_by(Case.updated_at.desc(), Case.id.desc()).limit(limit))
    return list(session.exec(stmt))


def case_data(case: Case) -> dict[str, Any]:
    """Return a case in the shape of a case file (schemas.CaseFileSchema after loading)."""
    return case_fields.model_data(case)


def same_content(case: Case, data: dict[str, Any]) -> bool:
    """True when saving `data` would change nothing."""
    return case_fields.comparable(case_data(case)) == case_fields.comparable(data)


def participant_row(position: int, data: dict[str, Any]) -> Participant:
    """A Participant from one validated row (not yet in any case)."""
    return Participant(position=position, **case_fields.row_values(case_fields.PARTICIPANTS, data))


def source_row(position: int, data: dict[str, Any]) -> CaseSource:
    """A CaseSource from one validated row."""
    return CaseSource(position=position, **case_fields.row_values(case_fields.SOURCES, data))


def effect_row(position: int, data: dict[str, Any]) -> Effect:
    """An Effect from one validated row, with its figure read into exact values, unit and yen.

    A before→after figure (7人→4人) is stored as its change (3人); the text keeps both.
    """
    effect = Effect(position=position, **case_fields.row_values(case_fields.EFFECTS, data))
    if data["amount"]:
        figure = domain.read_figure(data["amount"])
        q = figure.change if figure.change is not None else figure.value
        effect.value_low, effect.value_high = sorted((abs(q.low), abs(q.high)))
        effect.unit, effect.qualifier = q.unit, (figure.qualifier or "")[:10]
        effect.yen = int(effect.value_low) if q.unit == "円" else None
    return effect


def check_rules(session: Session, data: dict[str, Any]) -> None:
    """Enforce the rules a schema cannot see; raise InvalidInput listing every breach."""
    errors = []
    known = theme_labels(session)
    for theme in data["themes"]:
        if theme not in known:
            listed = "、".join(f"{label}（{code}）" for code, label in known.items())
            errors.append(("themes", f"「{theme}」は登録されたテーマではありません。{listed} のいずれかを指定してください"))
    codes = [p["code"] for p in data["participants"] if p["code"]]
    for code in {c for c in codes if codes.count(c) > 1}:
        errors.append(("participants", f"同じ団体コードが重複しています: {code}"))
    for i, p in enumerate(data["participants"]):
        if p["code"] and p["prefecture"] and domain.PREFECTURES[int(p["code"][:2]) - 1] != p["prefecture"]:
            errors.append((f"participants[{i}].prefecture",
                           f"団体コード {p['code']} は{domain.PREFECTURES[int(p['code'][:2]) - 1]}のコードです"))
        if p.get("covers") and p["kind"] != "prefecture":
            errors.append((f"participants[{i}].covers", "「県内の全市町村」は種類が都道府県の行にだけ指定できます"))
        if domain.is_joint(p["kind"]) and p["population"] is not None:
            errors.append((f"participants[{i}].population",
                           "一部事務組合・広域連合等には人口を入れず、構成団体の人口を入れてください"))
    if errors:
        raise InvalidInput("事例の内容に誤りがあります。", errors)


def content_json(data: dict[str, Any]) -> dict[str, Any]:
    """Case data (file shape) made JSON-safe for a revision: dates as ISO text."""
    out = {**data, "event": _dates_as_text(data["event"])}
    for rows in case_fields.ROWS.values():
        out[rows.name] = [_dates_as_text(r) for r in data.get(rows.name, [])]
    return out


def content_data(content: dict[str, Any]) -> dict[str, Any]:
    """The inverse of content_json: revision content back into case data (older revisions had one `source`)."""
    content = dict(content)
    if "source" in content and "sources" not in content:
        source = content.pop("source")
        content["sources"] = [source] if any(v not in (None, "") for v in source.values()) else []
    data = {**content, "event": _text_as_dates(content["event"])}
    for rows in case_fields.ROWS.values():
        data[rows.name] = [_text_as_dates(r) for r in content.get(rows.name, [])]
    return data


def _dates_as_text(part: dict[str, Any]) -> dict[str, Any]:
    part = dict(part)
    if part.get("date") is not None and not isinstance(part["date"], str):
        part["date"] = part["date"].isoformat()
    return part


def _text_as_dates(part: dict[str, Any]) -> dict[str, Any]:
    part = dict(part)
    if isinstance(part.get("date"), str):
        part["date"] = case_kinds.DATE.from_model(part["date"])
    return part


def save_case(session: Session, data: dict[str, Any], *, author: User | None = None, action: str = "save",
              comment: str = "", expected_version: int | None = None,
              status: str | None = None) -> tuple[Case, str]:
    """Create or update the case `data["slug"]` from validated data, and flush (inside a unit of work).

    Every change stores a revision (who, when, what step, the full content) and an audit
    entry in the same transaction. The save is based on a version: `expected_version` when
    given (what the user loaded), else the version read here. A case saved by anyone else
    since then raises Conflict instead of being overwritten: the version is tested in the
    UPDATE itself (see `claim_version`), so two saves racing on one version cannot both win.
    `status` (when given) replaces the status in `data`: editors change status through the
    workflow, not the form.

    Returns the case and "created", "updated" or "unchanged"; an unchanged case keeps its
    version. The caller's `services.unit.unit_of_work` block commits and then indexes.
    """
    if status is not None:
        data = {**data, "status": status}
    check_rules(session, data)
    case = session.exec(select(Case).where(Case.slug == data["slug"]).options(*with_children())).first()
    if expected_version is not None:
        if case is None and expected_version != 0:
            raise NotFound("指定された事例は見つかりません。")
        if case is not None and case.version != expected_version:
            raise Conflict("編集中にほかの人がこの事例を更新しました。", current=case)
    if case is not None and same_content(case, data):
        return case, "unchanged"
    if case is None:
        outcome, action = "created", ("create" if action == "save" else action)
        case = _create(session, data)
    else:
        outcome = "updated"
        claim_version(session, case, case.version)
        # The old rows go first: a row's place in its case is unique (models.Participant).
        case.sources, case.participants, case.effects = [], [], []
        session.flush()
    _apply(case, data)
    add_revision(session, case, action, author, comment)
    session.flush()
    return case, outcome


def claim_version(session: Session, case: Case, expected: int) -> None:
    """Start changing `case`: move it from version `expected` to the next, or raise Conflict.

    The version is tested in the UPDATE, after the change sequence's ordering lock
    (changes.record) and under the row's write lock, so of two transactions based on one
    version exactly one succeeds; the other is rolled back and told who won.
    """
    changes.record(session, case.slug)
    result = session.execute(update(Case).where(Case.id == case.id, Case.version == expected)
                             .values(version=expected + 1, updated_at=utcnow())
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        current = session.exec(select(Case).where(Case.id == case.id).options(*with_children())
                               .execution_options(populate_existing=True)).first()
        if current is None:
            raise NotFound("指定された事例は見つかりません（ほかの人が削除しました）。")
        raise Conflict("編集中にほかの人がこの事例を更新しました。", current=current)
    session.refresh(case, ["version", "updated_at"])


def _create(session: Session, data: dict[str, Any]) -> Case:
    changes.record(session, data["slug"])
    case = Case(slug=data["slug"], title=data["title"])
    session.add(case)
    try:
        session.flush()
    except IntegrityError:  # the same slug created by someone else in the meantime
        session.rollback()
        current = session.exec(select(Case).where(Case.slug == data["slug"]).options(*with_children())).first()
        raise Conflict("同じ事例IDの事例をほかの人が先に作成しました。", current=current) from None
    return case


def _apply(case: Case, data: dict[str, Any]) -> None:
    for name, value in case_fields.model_values(data).items():
        setattr(case, name, value)
    case.sources = [source_row(i, r) for i, r in enumerate(data["sources"])]
    case.participants = [participant_row(i, p) for i, p in enumerate(data["participants"])]
    case.effects = [effect_row(i, e) for i, e in enumerate(data["effects"])]


def add_revision(session: Session, case: Case, action: str, author: User | None, comment: str = "") -> Revision:
    """Record the case's current content as revision `case.version`, with an audit entry.

    The transaction has already claimed the version (claim_version) or created the case, and
    with it recorded the change number.
    """
    session.flush()
    revision = Revision(case_id=case.id, number=case.version, status=case.status, action=action,
                        comment=comment, author_id=author.id if author else None,
                        author_label=author.email if author else "system",
                        content=content_json(case_data(case)))
    session.add(revision)
    audit.record(session, f"case.{action}", author, target=case.slug,
                 detail=f"版 {case.version}" + (f": {comment}" if comment else ""))
    return revision


def all_cases(session: Session) -> list[Case]:
    """Return every case with its participants and effects, in id order."""
    return list(session.exec(select(Case).options(*with_children()).order_by(Case.id)))


@dataclass
class EffectFigures:
    """An effect with whether it scales with population and, if it does, its amount per resident and,
    for a chosen government, its scaled estimate (試算) with the formula in words."""

    effect: Effect
    scaling: scaling.Scaling
    per_capita: str | None       # e.g. "24.5万円" per resident, or "0.245人" per 10,000 residents
    per_capita_basis: str        # "住民1人あたり" or "住民1万人あたり"
    estimate: str | None         # 試算 for the reference government: "約21.2億円", "1人未満"
    formula: str | None          # "年間2,400万円 ÷ 三宅村の人口2,274人 × 那須町の人口24,021人"
    per_capita_values: tuple[float, float] | None = None
    estimate_values: tuple[float, float] | None = None
    population: int | None = None  # the case's population the figure is divided by

    @property
    def not_scaled(self) -> str:
        """Why the effect gets no value per resident ('' when it scales, or has no figure)."""
        if self.scaling.scales or self.effect.value_low is None:
            return ""
        return self.scaling.reason


def effect_scaling(e: Effect) -> scaling.Scaling:
    """Whether an effect scales with population: the curator's choice, else the rule of domain/scaling.py."""
    return scaling.effective(e.scales, e.kind, e.unit, e.period, e.value_low, e.value_high, e.label)


def population_basis(participants) -> str:
    """What a case's figures are divided by, in words: 三宅村の人口, or 参加団体の人口合計."""
    counted = [p for p in participants if not domain.is_joint(p.kind) and p.population is not None]
    return f"{counted[0].name}の人口" if len(counted) == 1 else "参加団体の人口合計"


def effect_figures(case: Case, reference: domain.Reference | None = None) -> list[EffectFigures]:
    """Per-resident amounts and scaled estimates, only for effects that scale with population."""
    population = domain.total_population(case.participants)
    basis = population_basis(case.participants)
    target = f"{reference.name}の人口" if reference is not None and reference.name else "入力した人口"
    out = []
    for e in case.effects:
        decided = effect_scaling(e)
        each = domain.per_capita(e.value_low, e.value_high, e.unit, population) if decided.scales else None
        figures = EffectFigures(e, decided, None, "住民1人あたり" if e.unit == "円" else "住民1万人あたり", None, None,
                                population=population)
        if each is not None:
            factor = 1 if e.unit == "円" else 10_000
            figures.per_capita_values = each
            figures.per_capita = domain.approx_range(each[0] * factor, each[1] * factor, e.unit)
            if reference is not None:
                low, high = domain.scaled(e.value_low, e.value_high, e.unit, population, reference.population)
                figures.estimate_values = (low, high)
                figures.estimate = scaling.estimate_text(low, high, e.unit)
                amount = scaling.quantity_text(e.value_low, e.value_high, e.unit, e.period)
                figures.formula = scaling.formula(amount, basis, population, target, reference.population)
        out.append(figures)
    return out


def cases_with_participant(session: Session, code: str) -> list[Case]:
    """Published cases in which the government with `code` takes part."""
    stmt = (select(Case).join(Participant, Participant.case_id == Case.id)
            .where(Participant.code == code, Case.status == "published")
            .options(*with_children()).order_by(Case.title))
    return list(session.exec(stmt).unique())
