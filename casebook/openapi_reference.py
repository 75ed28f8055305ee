"""The API reference page (/api/v1/docs): the OpenAPI description turned into what the page shows.

Reads only the description dict, so the page cannot say anything the description does not.
"""
from __future__ import annotations

from typing import Any

METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def describe(schema: dict | None) -> list[tuple[str, str | None]]:
    """A schema as readable text segments; (text, schema name) segments link to that schema."""
    if not schema:
        return [("任意", None)]
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return [(name, name)]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            out: list[tuple[str, str | None]] = []
            for i, part in enumerate(schema[key]):
                out += ([(" または ", None)] if i else []) + describe(part)
            return out
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    nullable = "null" in types
    types = [t for t in types if t != "null"]
    names = {"string": "文字列", "integer": "整数", "number": "数値", "boolean": "真偽値", "object": "オブジェクト",
             "array": "配列"}
    if types == ["array"]:
        out = [("配列（", None), *describe(schema.get("items")), ("）", None)]
    elif types == ["object"] and isinstance(schema.get("additionalProperties"), dict):
        out = [("オブジェクト（値は ", None), *describe(schema["additionalProperties"]), ("）", None)]
    else:
        out = [("・".join(names.get(t, t) for t in types) or "任意", None)]
    notes = []
    if "format" in schema:
        notes.append(schema["format"])
    if "enum" in schema:
        notes.append("次のいずれか: " + ", ".join(str(v) for v in schema["enum"]))
    if "pattern" in schema:
        notes.append(f"形式 {schema['pattern']}")
    if "minLength" in schema or "maxLength" in schema:
        notes.append(f"{schema.get('minLength', 0)}〜{schema.get('maxLength', '')}文字")
    if "minimum" in schema or "maximum" in schema:
        notes.append(f"{schema.get('minimum', '')}〜{schema.get('maximum', '')}")
    if "minItems" in schema:
        notes.append(f"{schema['minItems']}個以上")
    if notes:
        out.append(("（" + "、".join(notes) + "）", None))
    if nullable:
        out.append((" または null", None))
    return out


def _resolve(spec: dict, item: dict) -> dict:
    while "$ref" in item:
        section, name = item["$ref"].split("/")[-2:]
        item = spec["components"][section][name]
    return item


def reference(spec: dict) -> dict[str, Any]:
    """What the reference page shows: operations by tag, then every schema with its properties."""
    tags: dict[str, list[dict]] = {tag["name"]: [] for tag in spec.get("tags", [])}
    for path, methods in spec["paths"].items():
        for method in sorted(methods, key=METHOD_ORDER.index):
            op = methods[method]
            body = op.get("requestBody")
            tags.setdefault(op["tags"][0], []).append({
                "id": op["operationId"], "method": method.upper(), "path": path, "summary": op["summary"],
                "description": op.get("description", ""),
                "auth": "必要" if {} not in op["security"] else "不要",
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "description": p.get("description", ""), "type": describe(p.get("schema"))}
                               for p in op.get("parameters", [])],
                "body": None if body is None else {
                    "required": body.get("required", False), "media": list(body["content"]),
                    "type": describe(next(iter(body["content"].values()))["schema"])},
                "responses": [{"status": code, "description": _resolve(spec, r).get("description", ""),
                               "media": list(_resolve(spec, r).get("content", {})),
                               "type": describe(next(iter(_resolve(spec, r).get("content", {}).values()), {})
                                                .get("schema")),
                               "headers": list(_resolve(spec, r).get("headers", {}))}
                              for code, r in op["responses"].items()],
            })
    schemas = []
    for name, schema in sorted(spec["components"]["schemas"].items()):
        required = set(schema.get("required", []))
        schemas.append({"name": name, "description": schema.get("description", ""),
                        "properties": [{"name": prop, "required": prop in required,
                                        "description": sub.get("description", ""), "type": describe(sub)}
                                       for prop, sub in schema.get("properties", {}).items()]})
    return {"title": spec["info"]["title"], "version": spec["info"]["version"],
            "description": spec["info"]["description"], "tags": {k: v for k, v in tags.items() if v},
            "schemas": schemas}
