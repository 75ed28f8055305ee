"""services/merge.py: what one editor changed goes onto the latest version; both-changed fields are conflicts."""
from casebook.services import merge

from .conftest import case_data, effect, participant


def test_each_side_keeps_what_only_it_changed():
    base = case_data(title="元", summary="元の概要")
    mine, theirs = case_data(title="元", summary="私の概要"), case_data(title="彼の題名", summary="元の概要")
    out = merge.merge(base, mine, theirs)
    assert (out.data["title"], out.data["summary"], out.conflicts, out.theirs) == ("彼の題名", "私の概要", [], ["title"])


def test_the_same_change_on_both_sides_is_no_conflict():
    out = merge.merge(case_data(title="元"), case_data(title="同じ"), case_data(title="同じ"))
    assert out.conflicts == [] and out.data["title"] == "同じ"


def test_rows_merge_row_by_row_when_neither_side_adds_or_removes():
    rows = [effect("甲", "1人"), effect("乙", "2人")]
    base = case_data(effects=rows)
    mine = case_data(effects=[effect("甲", "10人"), effect("乙", "2人")])
    theirs = case_data(effects=[effect("甲", "1人"), effect("乙", "20人")])
    out = merge.merge(base, mine, theirs)
    assert [e["amount"] for e in out.data["effects"]] == ["10人", "20人"] and out.conflicts == []


def test_a_list_with_rows_added_on_one_side_is_taken_whole_and_on_both_sides_is_a_conflict():
    base = case_data(participants=[participant("甲町", 100)])
    mine = case_data(participants=[participant("甲町", 100), participant("乙町", 200)])
    theirs = case_data(participants=[participant("甲町", 100)], title="彼の題名")
    assert [p["name"] for p in merge.merge(base, mine, theirs).data["participants"]] == ["甲町", "乙町"]
    theirs = case_data(participants=[participant("甲町", 100), participant("丙村", 50)])
    out = merge.merge(base, mine, theirs)
    assert out.conflicts == ["participants"]
    assert [p["name"] for p in merge.choose(out.data, theirs, {"participants": "theirs"})["participants"]] == ["甲町", "丙村"]


def test_event_fields_merge_on_their_own():
    base = case_data(event={"name": "説明会", "date": None})
    mine = case_data(event={"name": "説明会", "date": "2018-07"})
    theirs = case_data(event={"name": "研修会", "date": None})
    assert merge.merge(base, mine, theirs).data["event"] == {"name": "研修会", "date": "2018-07"}


def test_a_yes_no_row_value_reads_in_words_not_true_or_false():
    data = case_data(effects=[effect("窓口の人員", "3人", scales=False), effect("処理時間", "10時間", scales=True)])
    words = merge.shown(data, "effects")
    assert "True" not in words and "False" not in words
    assert "人口に比例: しない" in words.split("／")[0] and "人口に比例: する" in words.split("／")[1]
