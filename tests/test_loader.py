"""Loading case files: the bundled cases, idempotence, and bad files reported and not written."""
import shutil

import pytest
from sqlmodel import select

from casebook import search
from casebook.models import Case, Effect, Participant
from casebook.services import cases

from . import writes
from .conftest import CASES_DIR


def test_bundled_cases_load_with_typed_effects(session, index):
    report = writes.load(session, index, [CASES_DIR])
    assert (report.created, report.errors) == (len(list(CASES_DIR.glob("*.yaml"))), [])
    chichibu = cases.get_case(session, "chichibu-suido-kouikika")
    assert [p.name for p in chichibu.participants] == ["秩父広域市町村圏組合", "秩父市", "横瀬町", "皆野町", "長瀞町", "小鹿野町"]
    yen = sorted(e.yen for e in chichibu.effects if e.yen)
    assert yen == [11_900_000_000, 23_200_000_000]
    hirosaki = cases.get_case(session, "hirosaki-jichitai-cloud")
    pct = next(e for e in hirosaki.effects if e.unit == "%")
    assert (pct.value_low, pct.value_high, pct.qualifier, pct.yen) == (10, 15, "約", None)
    kochi = cases.get_case(session, "kochi-madoguchi-itaku")
    staff = next(e for e in kochi.effects if e.kind == "staff")
    assert (staff.value_low, staff.unit) == (8, "人")


def test_load_is_idempotent(session, index):
    writes.load(session, index, [CASES_DIR])
    versions = {c.slug: c.version for c in session.exec(select(Case))}
    again = writes.load(session, index, [CASES_DIR])
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(versions))
    assert {c.slug: c.version for c in session.exec(select(Case))} == versions
    assert search.check_index(session, index).clean


def test_changed_file_updates_the_case(session, index, tmp_path):
    folder = tmp_path / "cases"
    shutil.copytree(CASES_DIR, folder)
    writes.load(session, index, [folder])
    path = folder / "kochi-madoguchi-itaku.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: 改訂版 ", 1), encoding="utf-8")
    report = writes.load(session, index, [folder])
    assert (report.updated, report.unchanged) == (1, len(list(folder.glob("*.yaml"))) - 1)
    case = cases.get_case(session, "kochi-madoguchi-itaku")
    assert case.title.startswith("改訂版 ") and case.version == 2
    assert search.check_index(session, index).clean


GOOD = (CASES_DIR / "kochi-madoguchi-itaku.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("content", "field", "reason"), [
    (GOOD.replace('code: "392014"', 'code: "392015"'), "participants[0].code", "検査数字"),
    (GOOD.replace("themes:\n- outsourcing", "themes:\n- unknown-theme").replace(
        "themes: [outsourcing]", "themes: [unknown-theme]"), "themes", "「unknown-theme」は登録されたテーマではありません"),
    (GOOD.replace("\ntitle:", "\nuntitled:"), "title", "必須"),
    (GOOD.replace("population: 326814", "population: 三十万"), "participants[0].population", "整数"),
    ("slug: [unclosed\n", "（ファイル）", "YAML"),
    ("- just\n- a list\n", "（ファイル）", "マッピング"),
    (GOOD.replace("slug: kochi-madoguchi-itaku", "slug: another-slug"), "slug", "ファイル名"),
    (GOOD.replace("kind: staff", "kind: happiness"), "effects[0].kind", "いずれか"),
])
def test_bad_file_is_reported_by_field_and_not_written(session, index, tmp_path, content, field, reason):
    path = tmp_path / "kochi-madoguchi-itaku.yaml"
    path.write_text(content, encoding="utf-8")
    report = writes.load(session, index, [path])
    assert report.created == 0
    assert any(f == field and reason in r for _p, f, r in report.errors), report.errors
    assert all(p == str(path) for p, _f, _r in report.errors)
    assert session.exec(select(Case)).all() == []
    assert session.exec(select(Participant)).all() == [] and session.exec(select(Effect)).all() == []


def test_wrong_encoding_is_reported(session, index, tmp_path):
    path = tmp_path / "kochi-madoguchi-itaku.yaml"
    path.write_bytes(GOOD.encode("cp932", errors="replace"))
    report = writes.load(session, index, [path])
    assert report.created == 0 and "UTF-8" in report.errors[0][2]


def test_bad_update_keeps_the_stored_case(session, index, tmp_path):
    path = tmp_path / "kochi-madoguchi-itaku.yaml"
    path.write_text(GOOD, encoding="utf-8")
    writes.load(session, index, [path])
    before = cases.case_data(cases.get_case(session, "kochi-madoguchi-itaku"))
    path.write_text(GOOD.replace("name: 高知市", "name: 高知市\n    bogus: 1").replace("amount: 8名", "amount: 沢山"),
                    encoding="utf-8")
    report = writes.load(session, index, [path])
    fields = {f for _p, f, _r in report.errors}
    assert "participants[0].bogus" in fields and "effects[0].amount" in fields
    session.expire_all()
    assert cases.case_data(cases.get_case(session, "kochi-madoguchi-itaku")) == before


def test_one_bad_file_does_not_stop_the_others(session, index, tmp_path):
    folder = tmp_path / "cases"
    shutil.copytree(CASES_DIR, folder)
    (folder / "broken.yaml").write_text("slug: broken\ntitle: [\n", encoding="utf-8")
    report = writes.load(session, index, [folder])
    assert report.created == len(list(CASES_DIR.glob("*.yaml")))
    assert {p for p, _f, _r in report.errors} == {str(folder / "broken.yaml")}
