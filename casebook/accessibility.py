"""The accessibility statement's facts: the standard, how it is tested, and which pages.

The browser tests (tests/browser/test_axe.py) check every HTML page of the URL map and fail when
a page is missing here, so the statement cannot fall behind the app.
"""
from __future__ import annotations

STANDARD = "JIS X 8341-3:2016 適合レベルAA（WCAG 2.1 レベルAA に相当）"
CONFORMANCE = "一部準拠"  # JIS X 8341-3 wording: automated checks plus a manual review, no third-party audit
TESTED_ON = "2026年11月28日"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
AXE_VERSION = "4.12.1"  # of the axe.min.js the tests run (a test compares the two)

# endpoint -> what the page is called on the statement (public pages first, then curator pages)
TESTED_PAGES: dict[str, str] = {
    "public.home": "トップページ",
    "public.search_cases": "事例の検索結果（絞り込み・並べ替え・入力誤りの表示を含む）",
    "public.show_case": "事例のページ",
    "sheets.show_sheet": "事例の印刷用シート",
    "sheets.show_batch": "検索結果の印刷用シート",
    "public.show_municipality": "団体のページ",
    "public.choose_government": "あなたの団体を選ぶ（候補の一覧・入力誤りの表示を含む）",
    "public.coverage": "人口規模別の事例の数",
    "public.about": "このサイトについて",
    "public.accessibility": "アクセシビリティ方針（このページ）",
    "api.docs": "APIリファレンス（JSON API）",
    "auth.login": "ログイン（入力誤りの表示を含む）",
    "curate.home": "事例の管理",
    "curate.show_case": "事例の管理ページ",
    "curate.new_case": "事例の新規作成（入力誤りの表示を含む）",
    "curate.edit_case": "事例の編集",
    "curate.history": "変更履歴",
    "curate.diff": "版の比較",
    "curate.review_queue": "見直しが必要な事例",
    "curate.import_cases": "事例の一括取込",
    "curate.manage_users": "利用者の管理",
    "curate.audit_log": "操作の記録",
    "curate.thesaurus": "検索の同義語辞書（語を試す・入力誤りの表示を含む）",
    "curate.edit_family": "同義語辞書の行の編集",
    "inquiries.ask": "事例についての質問（入力誤りの表示を含む）",
    "alerts.new_alert": "検索の新着をメールで受け取る（申込み・入力誤りの表示を含む）",
    "curate.list_inquiries": "問い合わせの一覧",
    "curate.show_inquiry": "問い合わせ",
    "tokens.list_tokens": "APIトークン",
}
