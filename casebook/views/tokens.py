"""Curators' personal API tokens (create, list, revoke) under /curate/tokens."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tokens", __name__, url_prefix="/curate/tokens")
