"""Settings: environment variables, documentation, and the refusal of a missing secret."""
import pytest

from casebook import config, create_app
from casebook.config import ROOT, ConfigError


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in config.DEFAULTS:
        assert f"CASEBOOK_{key}" in readme, key


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEBOOK_SECRET_KEY", "from-env-" + "0123456789abcdef" * 2)
    monkeypatch.setenv("CASEBOOK_PAGE_SIZE", "7")
    monkeypatch.setenv("CASEBOOK_SEARCH_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("CASEBOOK_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app()
    assert (app.config["SECRET_KEY"], app.config["PAGE_SIZE"]) == ("from-env-" + "0123456789abcdef" * 2, 7)
    assert str(app.extensions["casebook.index"].directory) == str(tmp_path / "idx")


def test_missing_secret_is_refused_outside_debug(monkeypatch, tmp_path):
    monkeypatch.delenv("CASEBOOK_SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "secret_from_instance", lambda _path: None)
    with pytest.raises(ConfigError, match="CASEBOOK_SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})


@pytest.mark.parametrize(("name", "value"), [("CASEBOOK_PAGE_SIZE", "many"), ("CASEBOOK_POPULATION_BANDS", "10,5")])
def test_bad_settings_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    monkeypatch.setenv("CASEBOOK_SECRET_KEY", "0123456789abcdef" * 4)
    with pytest.raises(ConfigError):
        create_app()


def test_custom_bands_apply(tmp_path, database_url):
    from casebook.db import get_engine

    from .conftest import make_app
    app = make_app(database_url, tmp_path / "other", POPULATION_BANDS="10000,100000")
    try:
        assert [b.code for b in app.extensions["casebook.index"].bands.bands] == ["0-10000", "10000-100000", "100000-"]
    finally:
        get_engine(app).dispose()
