"""The case page's related cases (templates/public/_related.html) and the home page's recent
cases: no axe violations, and each related case is a link with its reasons, in a phone's width too."""
from __future__ import annotations

from .axe import violations

CASE = "kochi-madoguchi-itaku"  # a bundled case with related cases


def test_related_cases_section_is_accessible(base_url, page):
    response = page.goto(f"{base_url}/cases/{CASE}")
    assert response is not None and response.status == 200
    section = page.get_by_role("region", name="関連する事例")
    assert 1 <= section.locator(".related-list > li").count() <= 5
    first = section.locator(".related-list > li").first
    assert first.get_by_role("link").count() == 1
    assert first.locator(".reasons li").count() >= 1
    assert violations(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    assert violations(page) == []


def test_home_recent_cases_are_accessible(base_url, page):
    page.goto(base_url + "/")
    assert page.get_by_role("region", name="最近更新された事例").locator("article").count() >= 1
    assert violations(page) == []
