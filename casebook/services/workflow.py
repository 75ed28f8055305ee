"""The review workflow (draft → in review → published → archived) and revision history."""
from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from .. import case_fields, domain
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models import Case, Revision, User
from .cases import add_revision, case_data, claim_version, content_data, get_case, save_case

# action -> (statuses it applies to, the status it leads to, who may do it, label)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "submit": (("draft",), "review", "curator", "確認を依頼する"),
    "return": (("review",), "draft", "editor", "差し戻す"),
    "publish": (("draft", "review", "archived"), "published", "editor", "公開する"),
    "unpublish": (("published",), "draft", "editor", "公開を停止して下書きに戻す"),
    "archive": (("draft", "review", "published"), "archived", "editor", "アーカイブする"),
}
REVISION_ACTIONS = {
    "create": "作成", "save": "保存", "import": "ファイルから取込", "submit": "確認依頼", "return": "差し戻し",
    "publish": "公開", "unpublish": "公開停止", "archive": "アーカイブ", "restore": "版の復元",
}


def may(user: User, role: str) -> bool:
    """True when `user` has `role` (models.User.may: editors may do everything curators may)."""
    return user.may(role)


def may_edit(user: User, case: Case | None) -> bool:
    """Curators edit drafts (and cases returned to them); editors edit any case."""
    return user.is_editor or case is None or case.status == "draft"


def allowed_transitions(user: User, case: Case) -> list[tuple[str, str]]:
    """The (action, label) pairs `user` may apply to `case` now."""
    return [(a, label) for a, (sources, _to, role, label) in TRANSITIONS.items()
            if case.status in sources and may(user, role)]


def transition(session: Session, slug: str, action: str, user: User, comment: str = "",
               expected_version: int | None = None) -> Case:
    """Move a case along the workflow, with a revision and an audit entry (the caller's unit of work commits)."""
    if action not in TRANSITIONS:
        raise InvalidInput("操作が正しくありません。", [("action", action)])
    sources, target, role, _label = TRANSITIONS[action]
    if not may(user, role):
        raise Forbidden("この操作は編集責任者だけが行えます。")
    case = get_case(session, slug, public=False)
    if expected_version is not None and case.version != expected_version:
        raise Conflict("操作の前にほかの人がこの事例を更新しました。", current=case)
    if case.status not in sources:
        state = domain.CASE_STATUSES.get(case.status, case.status)
        raise InvalidInput("今の状態ではこの操作はできません。", [("action", f"現在の状態: {state}")])
    if action == "return" and not comment.strip():
        raise InvalidInput("差し戻しの理由を入力してください。", [("comment", "差し戻す理由を書いてください。")])
    claim_version(session, case, case.version)
    case.status = target
    add_revision(session, case, action, user, comment.strip())
    session.flush()
    return case


def history(session: Session, slug: str) -> tuple[Case, list[Revision]]:
    """A case (any status) and its revisions, newest first."""
    case = get_case(session, slug, public=False)
    revisions = list(session.exec(select(Revision).where(Revision.case_id == case.id)
                                  .order_by(Revision.number.desc(), Revision.id.desc())))
    return case, revisions


def get_revision(session: Session, case: Case, number: int) -> Revision:
    revision = session.exec(select(Revision).where(Revision.case_id == case.id, Revision.number == number)
                            .order_by(Revision.id.desc())).first()
    if revision is None:
        raise NotFound("指定された版は見つかりません。")
    return revision


def flatten(content: dict[str, Any]) -> dict[str, Any]:
    """Content as {field path: value} so that two revisions can be compared field by field."""
    out: dict[str, Any] = {}
    for key, value in content.items():
        if key in case_fields.ROWS:
            for i, item in enumerate(value):
                for k, v in item.items():
                    out[f"{key}[{i}].{k}"] = v
        elif isinstance(value, dict):
            for k, v in value.items():
                out[f"{key}.{k}"] = v
        elif isinstance(value, list):
            out[key] = "、".join(str(v) for v in value)
        else:
            out[key] = value
    return out


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Field-by-field differences (path, old value, new value), participants and effects included."""
    a, b = flatten(old), flatten(new)
    keys = list(dict.fromkeys([*a, *b]))
    return [(k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)]


def restore(session: Session, slug: str, number: int, user: User, expected_version: int | None = None) -> Case:
    """Restore an older revision's content as a new revision (the workflow status is kept)."""
    if not may(user, "editor"):
        raise Forbidden("版の復元は編集責任者だけが行えます。")
    case = get_case(session, slug, public=False)
    revision = get_revision(session, case, number)
    data = content_data(revision.content)
    if case_data(case) | {"status": None} == data | {"status": None}:
        raise InvalidInput("この版は現在の内容と同じです。", [("number", str(number))])
    restored, _ = save_case(session, data, author=user, action="restore", comment=f"版 {number} を復元",
                            expected_version=case.version if expected_version is None else expected_version,
                            status=case.status)
    return restored


def case_lists(session: Session, user: User) -> dict[str, list[Case]]:
    """The curator home: my drafts, cases waiting for review, recently published."""
    mine = select(Revision.case_id).where(Revision.author_id == user.id)
    drafts = session.exec(select(Case).where(Case.status == "draft", Case.id.in_(mine))
                          .order_by(Case.updated_at.desc()).limit(50)).all()
    review = session.exec(select(Case).where(Case.status == "review").order_by(Case.updated_at).limit(50)).all()
    published = session.exec(select(Case).where(Case.status == "published")
                             .order_by(Case.updated_at.desc()).limit(10)).all()
    others = session.exec(select(Case).where(Case.status == "draft", Case.id.not_in(mine))
                          .order_by(Case.updated_at.desc()).limit(50)).all()
    return {"drafts": list(drafts), "review": list(review), "published": list(published), "other_drafts": list(others)}
