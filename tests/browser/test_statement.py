"""The accessibility statement: reachable from every page's footer, and saying what was tested."""
from __future__ import annotations

import html as markup
import re

from casebook.accessibility import AXE_TAGS, AXE_VERSION, TESTED_ON, TESTED_PAGES

from .axe import axe_version


def footer(html: str) -> str:
    return re.search(r'<footer class="site-footer">(.*?)</footer>', html, re.S).group(1)


def test_statement_is_linked_from_every_footer(client):
    for path in ("/", "/cases?q=水道", "/cases/kochi-madoguchi-itaku", "/about", "/login", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        assert '<a href="/accessibility">アクセシビリティ方針</a>' in footer(html), path


def test_statement_names_standard_method_date_and_pages(client):
    response = client.get("/accessibility")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>アクセシビリティ方針 | 先進事例データベース casebook</title>" in html
    assert "JIS X 8341-3:2016" in html and "WCAG 2.1" in html and "axe-core" in html and TESTED_ON in html
    assert ", ".join(AXE_TAGS) in html
    rows = [(label, markup.unescape(rule))
            for label, rule in re.findall(r'<tr><th scope="row">(.*?)</th><td><code>(.*?)</code></td></tr>', html)]
    rules = {rule.endpoint: rule.rule for rule in client.application.url_map.iter_rules()}
    assert rows == [(label, rules[endpoint]) for endpoint, label in TESTED_PAGES.items()]
    assert ("アクセシビリティ方針（このページ）", "/accessibility") in rows


def test_statement_names_the_axe_that_the_tests_run(client):
    assert AXE_VERSION == axe_version()
    assert f'axe-core（<span lang="en">{AXE_VERSION}</span>）' in client.get("/accessibility").get_data(as_text=True)
