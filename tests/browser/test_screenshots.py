"""Screenshots of the home, search and case pages.

Written to test-output/screenshots/; with CASEBOOK_SCREENSHOTS=1 (`make screenshots`) to
docs/screenshots/, the copies the README shows.
"""
from __future__ import annotations

import os
import struct

import pytest

from .conftest import OUTPUT, ROOT

SHOTS = {"home": "/", "search": "/cases?q=窓口&band=20000-50000", "case": "/cases/chichibu-suido-kouikika"}
WIDTH, HEIGHT = 1280, 900


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("name", SHOTS)
def test_screenshot(base_url, open_page, name):
    folder = ROOT / "docs" / "screenshots" if os.environ.get("CASEBOOK_SCREENSHOTS") == "1" else OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page = open_page(viewport={"width": WIDTH, "height": HEIGHT})
    response = page.goto(base_url + SHOTS[name])
    assert response is not None and response.status == 200
    page.evaluate("document.fonts.ready")
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    assert png_size(path.read_bytes()) == (WIDTH, HEIGHT)
    assert page.locator("main h1").is_visible()
