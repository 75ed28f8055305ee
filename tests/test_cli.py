"""The casebook command: load, reindex, check-index."""
from sqlalchemy import text

from casebook.db import get_engine

from .conftest import CASES_DIR


def test_load_reindex_check(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["load", str(CASES_DIR)])
    assert result.exit_code == 0 and "新規 12 件" in result.output
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "12 件" in result.output
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0 and "一致" in result.output


def test_reindex_refuses_while_another_process_rebuilds(app):
    from casebook import search

    runner = app.test_cli_runner()
    runner.invoke(args=["load", str(CASES_DIR)])
    index = search.get_index(app)
    live = index.current_name()
    with index.rebuilding():  # as a server's background thread holds it while building
        result = runner.invoke(args=["reindex"])
    assert result.exit_code == 1 and "再構築中" in result.output
    assert index.current_name() == live
    assert runner.invoke(args=["reindex"]).exit_code == 0
    assert index.current_name() != live


def test_check_index_exits_non_zero_on_drift_and_repairs(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["load", str(CASES_DIR)])
    with get_engine(app).begin() as conn:
        conn.execute(text("UPDATE \"case\" SET summary = 'changed' WHERE slug = 'kochi-madoguchi-itaku'"))
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 1 and "stale\tkochi-madoguchi-itaku" in result.output
    assert runner.invoke(args=["check-index", "--repair"]).exit_code == 0
    assert runner.invoke(args=["check-index"]).exit_code == 0


def test_load_reports_bad_files_and_fails(app, tmp_path):
    bad = tmp_path / "bad-case.yaml"
    bad.write_text("slug: bad-case\ntitle: 題名\nthemes: [cloud]\nparticipants: []\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["load", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: participants: 参加団体を1つ以上指定してください。" in result.output


def test_init_db_is_repeatable(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0
