"""The audit log: sign-ins, failed sign-ins and every state change."""
from __future__ import annotations

from sqlmodel import Session, select

from ..models import AuditEntry, User

ACTIONS = {
    "login": "ログイン", "login_failed": "ログイン失敗", "login_refused": "ログイン拒否（試行回数超過）",
    "logout": "ログアウト", "case.create": "事例の作成", "case.save": "事例の保存", "case.submit": "確認依頼",
    "case.return": "差し戻し", "case.publish": "公開", "case.unpublish": "公開停止", "case.archive": "アーカイブ",
    "case.restore": "版の復元", "case.import": "ファイルからの取込", "user.create": "利用者の作成",
    "user.update": "利用者の変更", "user.password": "パスワードの変更",
    "token.create": "APIトークンの作成", "token.revoke": "APIトークンの無効化",
    "thesaurus.add": "同義語辞書の行の追加", "thesaurus.change": "同義語辞書の行の変更",
    "thesaurus.remove": "同義語辞書の行の削除", "thesaurus.restore": "同義語辞書の行を標準に戻す",
    "thesaurus.prune": "同義語辞書の取込済み変更の片付け",
    "alert.request": "配信の申込み", "alert.confirm": "配信の登録確定", "alert.frequency": "配信頻度の変更",
    "alert.delete": "配信の停止", "alert.purge": "未確定の申込みの削除",
}


def record(session: Session, action: str, user: User | None = None, target: str = "", detail: str = "",
           address: str = "", actor: str = "") -> AuditEntry:
    """Add an audit entry to the session; it is committed with the change it describes."""
    entry = AuditEntry(action=action, user_id=user.id if user else None,
                       actor=actor or (user.email if user else "system"), address=address[:64],
                       target=target[:200], detail=detail)
    session.add(entry)
    return entry


def recent(session: Session, limit: int = 200, action: str | None = None) -> list[AuditEntry]:
    """Return the newest entries first."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(session.exec(stmt))
