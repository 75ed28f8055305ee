"""Schema migrations: the revisions build exactly the models' schema, on SQLite and PostgreSQL."""
import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from casebook import migrations
from casebook.db import init_db, make_engine


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_upgrading_an_empty_database_gives_the_models_schema(engine):
    assert migrations.upgrade(engine) == (None, migrations.head())
    with engine.connect() as connection:
        assert migrations.differences(connection) == []
        tables = set(inspect(connection).get_table_names())
    # every table of the models, plus Alembic's version table in the same schema
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert migrations.current(engine) == migrations.head()
    assert migrations.upgrade(engine) == (migrations.head(), migrations.head())  # again: nothing to do


def test_downgrade_to_base_drops_every_table_and_upgrade_restores_them(engine):
    migrations.upgrade(engine)
    assert migrations.downgrade(engine, "base") == (migrations.head(), None)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(engine)
    with engine.connect() as connection:
        assert migrations.differences(connection) == []


def test_a_create_all_database_is_stamped_at_head(engine):
    init_db(engine)
    assert migrations.current(engine) is None
    assert migrations.upgrade(engine) == (None, migrations.head())


def test_a_database_holding_the_first_revisions_tables_is_adopted_and_upgraded(engine):
    # the first release's schema, without the version table that marks it
    migrations.upgrade(engine, migrations.INITIAL)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE alembic_version")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) == migrations.INITIAL_TABLES
    assert migrations.upgrade(engine) == (None, migrations.head())
    with engine.connect() as connection:
        assert migrations.differences(connection) == []


def test_a_database_that_differs_from_the_models_is_refused(engine):
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE theme (code VARCHAR(40) PRIMARY KEY)")
    with pytest.raises(migrations.MigrationError, match="differ from the models"):
        migrations.upgrade(engine)
    assert migrations.current(engine) is None


def test_db_commands(app):
    runner = app.test_cli_runner()
    head = migrations.head()
    # the fixture made the tables with create_all: `db current` says so and exits 1
    result = runner.invoke(args=["db", "current"])
    assert (result.exit_code, result.output) == (1, f"（なし）\t最新: {head}\n")
    result = runner.invoke(args=["init-db"])
    assert (result.exit_code, result.output) == (0, f"データベースを初期化しました（スキーマ {head}）。\n")
    assert runner.invoke(args=["db", "current"]).output == f"{head}\t最新: {head}\n"
    assert runner.invoke(args=["db", "upgrade"]).output == f"スキーマ: {head} → {head}\n"
    result = runner.invoke(args=["db", "stamp", "no-such-revision"])
    assert result.exit_code == 1 and "no-such-revision" in result.output
    assert runner.invoke(args=["db", "downgrade", "base"]).output == f"スキーマ: {head} → （なし）\n"
    # drafting a revision needs a database at the newest one (this one is not: nothing is written)
    result = runner.invoke(args=["db", "revision", "0099_test", "nothing"])
    assert (result.exit_code, result.output) == (1, f"エラー: the database is at no revision, not {head}: upgrade it first\n")
    assert runner.invoke(args=["db", "upgrade"]).output == f"スキーマ: （なし） → {head}\n"


def test_init_db_refuses_a_database_unlike_the_models(engine, database_url, tmp_path):
    from casebook import create_app

    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE theme (code VARCHAR(40) PRIMARY KEY)")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "SEARCH_INDEX_DIR": str(tmp_path / "index")})
    try:
        result = app.test_cli_runner().invoke(args=["init-db"])
    finally:
        app.extensions["casebook.engine"].dispose()
    assert result.exit_code == 1 and "differ from the models" in result.output
    assert migrations.current(engine) is None


def test_a_drafted_revision_follows_the_newest_and_is_empty_when_nothing_changed(engine, tmp_path, monkeypatch):
    import shutil

    copy = tmp_path / "migrations"  # draft into a copy: the package's own folder is never written by tests
    shutil.copytree(migrations.HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrations, "HERE", copy)
    migrations.upgrade(engine)
    previous = migrations.head()
    path = migrations.draft_revision(engine, "0099_test", "nothing changed")
    text = path.read_text(encoding="utf-8")
    assert path == copy / "versions" / "0099_test.py"
    assert f"revision = '0099_test'\ndown_revision = {previous!r}\n" in text
    assert [line.strip() for line in text.splitlines() if line.strip().startswith(("op.", "pass"))] == ["pass", "pass"]
    assert migrations.head() == "0099_test"


def test_0004_moves_each_cases_source_into_its_sources_and_keeps_every_row(engine):
    """A database of the earlier format keeps its cases, rows and revisions; the one source becomes sources[0]."""
    migrations.upgrade(engine, "0003_integrity")
    with engine.begin() as db:
        for case_id, slug, title, date in ((1, "with-source", "報告書", "2018-10-02"), (2, "no-source", "", None)):
            db.execute(text(
                'INSERT INTO "case" (id, slug, title, summary, background, approach, outcome, themes, tags, detail, '
                "source_title, source_publisher, source_date, source_url, event_name, event_date, contact, status, "
                "created_at, updated_at, version) VALUES (:id, :slug, 't', '', '', '', '', '[]', '[]', 'full', :title, "
                ":publisher, :date, '', '', :event, '', 'published', :now, :now, 1)"),
                {"id": case_id, "slug": slug, "title": title, "publisher": "内閣府" if title else "", "date": date,
                 "event": "2017-10-02" if title else None, "now": "2026-01-01 00:00:00"})
            db.execute(text("INSERT INTO participant (case_id, position, role, name, kind, population_source) "
                            "VALUES (:id, 0, 'lead', '高知市', 'city', '')"), {"id": case_id})
            db.execute(text("INSERT INTO effect (case_id, position, kind, direction, label, amount, value_low, value_high, "
                            "unit, qualifier, period, status, wording) VALUES (:id, 0, 'cost', 'reduction', '費用', "
                            "'約20.1億円', 2010000000, 2010000000, '円', '約', 'total', 'achieved', '')"), {"id": case_id})
    migrations.upgrade(engine)
    with engine.connect() as db:
        assert migrations.differences(db) == []
        sources = db.execute(text("SELECT case_id, position, title, publisher, date FROM casesource")).all()
        assert [tuple(s) for s in sources] == [(1, 0, "報告書", "内閣府", "2018-10-02")]
        events = db.execute(text('SELECT id, event_date FROM "case" ORDER BY id')).all()
        assert [tuple(e) for e in events] == [(1, "2017-10-02"), (2, None)]
        assert db.execute(text("SELECT COUNT(*) FROM participant")).scalar() == 2  # no cascade on the case table
        assert db.execute(text("SELECT COUNT(*) FROM effect")).scalar() == 2
    migrations.downgrade(engine, "0003_integrity")
    with engine.connect() as db:
        back = db.execute(text('SELECT source_title, source_publisher FROM "case" ORDER BY id')).all()
        assert [tuple(b) for b in back] == [("報告書", "内閣府"), ("", "")]
        assert db.execute(text("SELECT COUNT(*) FROM participant")).scalar() == 2
