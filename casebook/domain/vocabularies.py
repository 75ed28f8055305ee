"""The vocabularies of cases and users: each a mapping of stored value -> Japanese label.

A case's vocabularies come from labels.py, which also knows the words curators type for each.
"""
from __future__ import annotations

from .labels import LABELS

PARTICIPANT_KINDS: dict[str, str] = LABELS["participant_kind"]
# Joint bodies: no population of their own (their members' sum), never a government of a size.
JOINT_KINDS: frozenset[str] = frozenset({"partial_union", "regional_union", "enterprise_union", "council", "association"})
ROLES: dict[str, str] = LABELS["role"]
# A participant that stands for every municipality of its prefecture (expanded from the master).
COVERS: dict[str, str] = LABELS["covers"]

EFFECT_KINDS: dict[str, str] = LABELS["effect_kind"]
EFFECT_DIRECTIONS: dict[str, str] = LABELS["effect_direction"]
EFFECT_PERIODS: dict[str, str] = LABELS["effect_period"]
EFFECT_STATUSES: dict[str, str] = LABELS["effect_status"]

CASE_STATUSES: dict[str, str] = LABELS["case_status"]
ROLES_OF_USERS: dict[str, str] = {"curator": "担当者", "editor": "編集責任者"}
DETAIL_LEVELS: dict[str, str] = LABELS["detail"]


def is_joint(kind: str | None) -> bool:
    """True for a joint body (一部事務組合, 広域連合, 企業団, 協議会, other)."""
    return kind in JOINT_KINDS
