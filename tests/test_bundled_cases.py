"""The quality gate of the bundled collection (cases/): every case validates and is sourced, and no
project is there twice. Loaded once for the module (the other tests use the frozen tests/cases/)."""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter

import pytest
from sqlmodel import Session

from casebook.db import get_engine
from casebook.services import cases as case_service

from . import writes
from .conftest import ROOT, make_app

BUNDLED = ROOT / "cases"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<![0-9])0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}(?![0-9])")


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    directory = tmp_path_factory.mktemp("bundled")
    app = make_app(f"sqlite:///{directory / 'db.sqlite'}", directory)
    with app.app_context(), Session(get_engine(app)) as db:
        from casebook import search

        report = writes.load(db, search.get_index(app), [BUNDLED])
        everything = case_service.all_cases(db)
    yield report, everything
    get_engine(app).dispose()


def test_every_file_loads_and_is_named_by_its_slug(collection):
    report, everything = collection
    assert report.errors == []
    assert sorted(f"{c.slug}.yaml" for c in everything) == sorted(p.name for p in BUNDLED.glob("*.yaml"))


def test_the_collection_is_large_and_covers_ai_ict(collection):
    _report, everything = collection
    published = [c for c in everything if c.status == "published"]
    assert len(published) >= 150
    assert sum("ai-ict" in c.themes for c in published) >= 40


def test_nearly_every_published_case_names_a_source_url(collection):
    _report, everything = collection
    published = [c for c in everything if c.status == "published"]
    unsourced = [c.slug for c in published if not any(s.url for s in c.sources)]
    assert len(unsourced) <= 0.05 * len(published), unsourced


def test_every_participant_with_a_code_has_a_population_with_its_year(collection):
    _report, everything = collection
    missing = [(c.slug, p.name) for c in everything for p in c.participants
               if p.code and (p.population is None or not p.population_year)]
    assert missing == []


def _title(text: str) -> str:
    return re.sub(r"[\s（）()「」・、。]", "", unicodedata.normalize("NFKC", text))


def test_no_project_is_there_twice(collection):
    """A near-duplicate title with a participant in common, or the same participants and themes with a
    similar title, is one project twice."""
    _report, everything = collection
    twice = []
    for i, a in enumerate(everything):
        for b in everything[i + 1:]:
            similar = difflib.SequenceMatcher(None, _title(a.title), _title(b.title)).ratio()
            people_a, people_b = ({p.code or p.name for p in c.participants} for c in (a, b))
            same_people = people_a == people_b and set(a.themes) == set(b.themes)
            # Many governments do one kind of project under one kind of title: a title alone is no duplicate.
            if (similar > 0.9 and people_a & people_b) or (same_people and similar > 0.6):
                twice.append((a.slug, b.slug, round(similar, 2)))
    assert twice == []
    assert [s for s, n in Counter(c.slug for c in everything).items() if n > 1] == []


def test_no_personal_contact_details_in_the_texts(collection):
    _report, everything = collection
    found = []
    for c in everything:
        texts = [c.summary, c.background, c.approach, c.outcome, c.contact, *(e.wording for e in c.effects)]
        found += [(c.slug, m.group()) for t in texts for m in (*EMAIL.finditer(t), *PHONE.finditer(t))]
    assert found == []
