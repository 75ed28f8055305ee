"""Writes as the app makes them: each call is one unit of work (commit, then index)."""
from __future__ import annotations

from casebook.services import bulk, cases, loader, unit, workflow


def save(session, index, data, **options):
    """cases.save_case in its own unit of work, as the editor and the API run it."""
    with unit.unit_of_work(session, index):
        return cases.save_case(session, data, **options)


def load(session, index, paths):
    """Load case files as `casebook load` does."""
    with unit.unit_of_work(session, index) as work:
        return loader.load_cases(work, list(paths))


def transition(session, index, slug, action, user, comment="", expected_version=None):
    """A workflow step in its own unit of work."""
    with unit.unit_of_work(session, index):
        return workflow.transition(session, slug, action, user, comment, expected_version)


def commit_import(session, index, data, filename, user, mode="draft"):
    """An import's commit in its own unit of work, as the import page and `casebook import` run it."""
    with unit.unit_of_work(session, index):
        return bulk.commit_import(session, data, filename, user, mode)
