"""Editors' changes to the search thesaurus: add, change, remove or restore a line, each checked and audited.

The reviewed thesaurus is the file shipped with casebook (casebook/data/thesaurus.tsv); it is
never written. Editors' changes are rows over it (models.ThesaurusEntry): a line added, a shipped
line changed or removed (by its ref). Putting a shipped line back as the file has it deletes the
row, so the rows are exactly the difference to the file, which the export writes out for review.

Every change first raises the one counter row (models.ThesaurusVersion): the UPDATE makes
concurrent changes wait for each other, so the checks below see the other's committed change,
and every process reloads the thesaurus when it sees the counter move (search/thesaurus_live.py).
Then the row and an audit entry are written. A service never commits: the caller's unit of work
does, then calls `search.thesaurus_live.forget()` so this process searches with it at once.
"""
from __future__ import annotations

import re

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..errors import Conflict, InvalidInput, NotFound
from ..models import ThesaurusEntry, ThesaurusVersion, User, utcnow
from ..search import thesaurus_live
from . import audit

Family, key, searchable = thesaurus_live.Family, thesaurus_live.key, thesaurus_live.searchable

KINDS = {"=": "同義語のグループ", ">": "狭い語 → 広い語（一方向）"}
MAX_WORDS = 12  # words of one line: a query word is searched in at most 12 forms (thesaurus.MAX_FORMS)
MAX_WORD_LENGTH = 30
MAX_INPUT = 600  # characters typed into the words field
ORIGINS = {"shipped": "標準辞書", "changed": "標準辞書を変更", "removed": "標準辞書から削除", "added": "追加"}
_SEPARATORS = re.compile(r"[\s\x00-\x1f\x7f、，,；;・/／]+")
_WORD = re.compile(r"\w+")  # letters, digits, kana and kanji (ー and 々 too): what a search reads as one word


def read_words(text: str) -> list[str]:
    """The words typed into the words field: separated by spaces, 、 or commas (also ・ and /)."""
    return [w for w in _SEPARATORS.split(text or "") if w]


def list_families(session: Session, word: str = "") -> list[Family]:
    """The lines of the thesaurus in effect and the shipped lines removed; with `word`, those with a word containing it."""
    return matching(thesaurus_live.families(session), word)


def matching(families: list[Family], word: str) -> list[Family]:
    """The lines with a word containing `word` (compared as searches compare words); all for no word."""
    wanted = key(word) if word and word.strip() else ""
    return [f for f in families if any(wanted in key(w) for w in f.words)] if wanted else families


def get_family(session: Session, ref: str) -> Family:
    """One line by its ref, or NotFound."""
    for family in thesaurus_live.families(session):
        if family.ref == ref:
            return family
    raise NotFound("その語のまとまりは見つかりません（ほかの人が削除したか、標準辞書が更新されました）。")


def export(session: Session) -> str:
    """The thesaurus in effect as a file in the shipped format, to review and put back into casebook/data/thesaurus.tsv."""
    return thesaurus_live.export(session)


def check(kind: str, words: list[str], others: list[Family]) -> None:
    """Refuse a line that cannot be stored (InvalidInput with Japanese reasons); `others`: the other lines in effect."""
    if kind not in KINDS:
        raise InvalidInput("種類を選んでください。", [("kind", "「同義語のグループ」か「狭い語 → 広い語」を選んでください。")])
    errors: list[str] = []
    if not words:
        errors.append("語を入力してください。")
    elif len(words) < 2:
        errors.append("語を2つ以上入力してください（同義語どうし、または狭い語と広い語）。")
    if len(words) > MAX_WORDS:
        errors.append(f"語が多すぎます（{len(words)}語）。1行には{MAX_WORDS}語まで入れられます。分けて登録してください。")
    seen: dict[str, str] = {}
    for word in words:
        normal = key(word)
        if len(word) > MAX_WORD_LENGTH:
            errors.append(f"「{word[:MAX_WORD_LENGTH]}…」は長すぎます（{MAX_WORD_LENGTH}文字まで）。")
        elif not searchable(word):
            errors.append(f"「{word}」には検索できる文字（漢字・かな・英数字）がありません。")
        elif not _WORD.fullmatch(word) or "_" in word:
            errors.append(f"「{word}」に記号が含まれています。語には漢字・かな・英数字だけを使ってください"
                          "（検索では記号の前後で語が分かれるため、見つかりません）。")
        elif len(normal) < 2:
            errors.append(f"「{word}」は1文字です。1文字の語は多くの語の一部になるため登録できません。")
        elif normal in seen:
            errors.append(f"「{word}」が重複しています（「{seen[normal]}」と同じ語として扱われます）。")
        seen.setdefault(normal, word)
    if not errors:
        errors += _overlaps(kind, words, others)
    if errors:
        raise InvalidInput("語のまとまりは保存されていません。", [("words", e) for e in errors])


def _overlaps(kind: str, words: list[str], others: list[Family]) -> list[str]:
    # A word belongs to one family; a narrower word has one line of broader ones.
    errors = []
    live = [f for f in others if f.origin != "removed" and f.kind == kind]
    if kind == "=":
        for word in words:
            for other in live:
                if key(word) in {key(w) for w in other.words}:
                    errors.append(f"「{word}」はすでに別のグループ（{'・'.join(other.words)}）にあります。"
                                  "1つの語は1つのグループにだけ入れられます。そのグループを編集してください。")
    else:
        for other in live:
            if key(other.words[0]) == key(words[0]):
                errors.append(f"「{words[0]}」の広い語はすでに登録されています（{other.words[0]} → "
                              f"{'・'.join(other.words[1:])}）。その行を編集してください。")
    return errors


def add_family(session: Session, kind: str, text: str, user: User | None) -> Family:
    """Add a line (a family, or a narrower word with its broader ones)."""
    words = _typed(text)
    _count_change(session)
    check(kind, words, thesaurus_live.families(session))
    entry = ThesaurusEntry(kind=kind, words="\t".join(words), updated_by=user.email if user else "system")
    session.add(entry)
    session.flush()
    family = Family(f"e{entry.id}", kind, tuple(words), "added")
    audit.record(session, "thesaurus.add", user, target=_target(family), detail=family.text())
    return family


def change_family(session: Session, ref: str, kind: str, text: str, user: User | None,
                  expected: str | None = None) -> Family | None:
    """Change a line's kind and words (None when they are as before); `expected`, the stamp of the line the
    editor loaded, refuses a lost update. A shipped line changed back to the file's words is the file's again."""
    words = _typed(text)
    _count_change(session)
    family = _current(session, ref, expected)
    if family.origin == "removed":
        raise InvalidInput("削除した行は編集できません。先に標準辞書に戻してください。",
                           [("words", "標準辞書に戻してから編集してください。")])
    if (kind, tuple(words)) == (family.kind, family.words):
        return None
    check(kind, words, [f for f in thesaurus_live.families(session) if f.ref != ref])
    entry = _entry(session, family)
    if family.shipped is None:
        changed = Family(ref, kind, tuple(words), "added")
    elif (kind, tuple(words)) == (family.shipped.kind, family.shipped.words):
        changed = Family(ref, kind, tuple(words), "shipped", family.shipped)
    else:
        entry = entry or ThesaurusEntry(replaces=ref)
        changed = Family(ref, kind, tuple(words), "changed", family.shipped)
    if changed.origin == "shipped":
        if entry is not None:
            session.delete(entry)
    else:
        entry.kind, entry.words = kind, "\t".join(words)
        _touch(entry, user)
        session.add(entry)
    session.flush()
    audit.record(session, "thesaurus.change", user, target=_target(changed), detail=f"{family.text()} → {changed.text()}")
    return changed


def remove_family(session: Session, ref: str, user: User | None, expected: str | None = None) -> Family:
    """Remove a line: an added one is deleted, a shipped one is left out of the thesaurus in effect."""
    _count_change(session)
    family = _current(session, ref, expected)
    if family.origin == "removed":
        return family
    entry = _entry(session, family)
    if family.shipped is None:
        session.delete(entry)
    else:
        entry = entry or ThesaurusEntry(replaces=ref)
        entry.kind, entry.words = family.shipped.kind, ""
        _touch(entry, user)
        session.add(entry)
    session.flush()
    audit.record(session, "thesaurus.remove", user, target=_target(family), detail=family.text())
    return family


def restore_family(session: Session, ref: str, user: User | None) -> Family:
    """Put a changed or removed shipped line back as the file has it."""
    _count_change(session)
    family = _current(session, ref, None)
    entry = _entry(session, family)
    if family.shipped is None or entry is None:
        raise InvalidInput("標準辞書に戻せるのは、標準辞書の行を変更・削除したものだけです。", [("ref", "この行は戻せません。")])
    before = "（削除）" if family.origin == "removed" else family.text()
    session.delete(entry)
    session.flush()
    restored = Family(ref, family.shipped.kind, family.shipped.words, "shipped", family.shipped)
    audit.record(session, "thesaurus.restore", user, target=_target(restored), detail=f"{before} → {restored.text()}")
    return restored


def inert_changes(session: Session) -> int:
    """How many stored changes the shipped file has taken in since (a release shipped the export)."""
    return len(thesaurus_live.inert(session))


def prune(session: Session, user: User | None) -> int:
    """Delete the stored changes that change nothing any more (the shipped file has them); returns how many."""
    idle = thesaurus_live.inert(session)
    if not idle:
        return 0
    _count_change(session)
    for entry in idle:
        session.delete(entry)
    session.flush()
    audit.record(session, "thesaurus.prune", user, target=f"{len(idle)}件",
                 detail="\n".join(f"{e.kind}\t{e.words or '（削除）'}" for e in idle))
    return len(idle)


def _typed(text: str) -> list[str]:
    if len(text or "") > MAX_INPUT:
        raise InvalidInput("語のまとまりは保存されていません。", [("words", f"入力が長すぎます（{MAX_INPUT}文字まで）。")])
    return read_words(text)


def _current(session: Session, ref: str, expected: str | None) -> Family:
    family = get_family(session, ref)
    if expected is not None and expected != family.stamp:
        raise Conflict("編集中にほかの人がこの行を変更しました。いまの内容を確認して、もう一度操作してください。",
                       current=family)
    return family


def _entry(session: Session, family: Family) -> ThesaurusEntry | None:
    if family.shipped is None:
        return session.get(ThesaurusEntry, int(family.ref[1:]))
    return session.exec(select(ThesaurusEntry).where(ThesaurusEntry.replaces == family.ref)).first()


def _touch(entry: ThesaurusEntry, user: User | None) -> None:
    entry.updated_at, entry.updated_by = utcnow(), user.email if user else "system"


def _target(family: Family) -> str:
    return f"{family.words[0]}（{family.ref}）" if family.words else family.ref


def _count_change(session: Session) -> None:
    """Raise the change counter (creating its row in a create_all database) before reading what to check."""
    raised = session.execute(update(ThesaurusVersion).where(ThesaurusVersion.id == 1)
                             .values(version=ThesaurusVersion.version + 1))
    if raised.rowcount:
        return
    try:
        with session.begin_nested():
            session.add(ThesaurusVersion(id=1, version=1))
    except IntegrityError:  # another change made the row first
        session.execute(update(ThesaurusVersion).where(ThesaurusVersion.id == 1)
                        .values(version=ThesaurusVersion.version + 1))
