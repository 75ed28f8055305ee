"""Printable case sheets (one A4 page per case), alone or for a whole search, as HTML and PDF."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sheets", __name__)
