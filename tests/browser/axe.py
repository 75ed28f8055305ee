"""axe-core in the page under test.

axe.min.js comes from the npm package axe-core (the pinned copy that axe-playwright-python ships).
The app's CSP allows no inline script, so it is evaluated through Playwright (DevTools protocol),
not added as a <script>; the page itself keeps its real CSP.
"""
from __future__ import annotations

from importlib.resources import files

from casebook.accessibility import AXE_TAGS

AXE_SOURCE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def axe_version() -> str:
    """The axe-core version of the bundled file (its banner: /*! axe v4.x.y)."""
    return AXE_SOURCE[:40].split("axe v", 1)[1].split()[0]


def violations(page) -> list[str]:
    """Run axe on the page at WCAG 2.1 A/AA; one readable line per violated rule."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        list(AXE_TAGS))
    lines = []
    for v in result["violations"]:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:4])
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return lines
