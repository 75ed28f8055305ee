"""A three-way merge of case data: what one editor changed since the version they started from,
applied onto the latest version, so that nobody else's change is undone.

Each case field (case_fields.CASE, `event.*` included) is merged on its own. The rows of a list
(sources, participants, effects) are merged row by row when neither side added or removed rows;
otherwise the list is one value. A field or list changed on both sides to different values is a
conflict, which a person resolves by choosing "mine" or "theirs".
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .. import case_fields


@dataclass
class Merge:
    """The merged data, and the paths (title, event.date, effects…) both sides changed differently."""

    data: dict[str, Any]
    conflicts: list[str] = field(default_factory=list)
    theirs: list[str] = field(default_factory=list)   # paths taken from the other editor's version


def _get(data: dict[str, Any], path: str) -> Any:
    if path in case_fields.ROWS:
        return data.get(path, [])
    f = case_fields.get(path)
    return case_fields.value(data, f)


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    if path in case_fields.ROWS:
        data[path] = copy.deepcopy(value)
        return
    f = case_fields.get(path)
    (data.setdefault(f.group, {}) if f.group else data)[f.name] = copy.deepcopy(value)


def paths() -> list[str]:
    """Every path a merge compares: the case's fields (status excepted), then its lists of rows."""
    return [f.path for f in case_fields.CASE if f.in_form] + list(case_fields.ROWS)


def _comparable_rows(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    spec = case_fields.ROWS[name]
    return [{f.name: r.get(f.name, f.default) for f in spec.fields} for r in rows]


def merge(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> Merge:
    """Apply what `mine` changed from `base` onto `theirs`; list the paths both changed differently."""
    out = Merge(copy.deepcopy(theirs))
    for path in paths():
        b, m, t = (_get(d, path) for d in (base, mine, theirs))
        if path in case_fields.ROWS:
            b, m, t = (_comparable_rows(x, path) for x in (b, m, t))
            if len(b) == len(m) == len(t) and b != m and b != t:
                rows = [mr if tr == br else tr if mr == br else (mr if mr == tr else None)
                        for br, mr, tr in zip(b, m, t, strict=True)]
                if None not in rows:
                    _set(out.data, path, rows)
                    continue
        if m == b or m == t:
            if t != b and m != t:
                out.theirs.append(path)
            continue
        if t == b:
            _set(out.data, path, m)
            continue
        _set(out.data, path, m)  # shown as mine until the person chooses
        out.conflicts.append(path)
    return out


def choose(data: dict[str, Any], theirs: dict[str, Any], chosen: dict[str, str]) -> dict[str, Any]:
    """`data` with the paths chosen as "theirs" taken from `theirs`."""
    out = copy.deepcopy(data)
    for path, side in chosen.items():
        if side == "theirs":
            _set(out, path, _get(theirs, path))
    return out


def label(path: str) -> str:
    """The Japanese name of a merged path."""
    return case_fields.ROWS[path].label if path in case_fields.ROWS else case_fields.label(path)


def _cell(field, value: Any) -> str:
    # A row's value in words: a yes/no one (an effect's 人口に比例) by its label, not True/False.
    if isinstance(value, bool):
        return f"{field.label}: {'する' if value else 'しない'}"
    return str(value)


def shown(data: dict[str, Any], path: str) -> str:
    """A path's value in words, for choosing between two versions."""
    value = _get(data, path)
    if path in case_fields.ROWS:
        spec = case_fields.ROWS[path]
        return "／".join("・".join(_cell(f, r.get(f.name)) for f in spec.fields if r.get(f.name) not in (None, ""))
                        for r in value) or "（なし）"
    if isinstance(value, list):
        return "、".join(map(str, value)) or "（なし）"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "（空）" if value in (None, "") else str(value)
