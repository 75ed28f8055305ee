"""Every declared case field (casebook/case_fields.py) survives every path a case takes.

Each field gets a distinctive value (not its default), and the whole case goes through the
case file, the database, the editor's form, CSV, XLSX, the API and the diff labels: a field
the registry declares but one path forgets fails here, whatever its name.
"""
import datetime as dt

import pytest

from casebook import case_fields, web
from casebook.api_case_schemas import CaseInSchema, CaseOutSchema, CaseSummarySchema, case_body
from casebook.case_fields import CASE, EFFECTS, PARTICIPANTS, ROWS
from casebook.forms import CaseForm, attach_errors, case_form
from casebook.schemas import CaseFileSchema
from casebook.services import bulk, cases, editor, loader, safe_files, tabular, workflow

from . import writes

# Values for fields whose checks a generic value would not pass (or a rule of the services).
SPECIAL = {
    "slug": "field-walk", "themes": ["cloud", "ai-ict"], "sources.url": "https://example.jp/walk",
    "participants.code": "390003", "participants.prefecture": "高知県", "participants.kind": "prefecture",
    "participants.population": 12345, "participants.population_year": 2019, "effects.amount": "約1,200時間",
}


def sample(f: case_fields.CaseField, n: int = 0):
    """A distinctive, valid value of `f` (n: which row)."""
    key = f"{f.group}.{f.name}" if f.group in ROWS else f.path
    if key in SPECIAL:
        return SPECIAL[key]
    kind = f.kind.name
    if kind == "switch":
        return False
    if kind == "choice":
        return [c for c in f.choices if c != f.default and c != f.form_default][-1]
    if kind == "date":
        return dt.date(2001, 2, 3) + dt.timedelta(days=len(f.path) + 40 * (f.group == "event"))
    if kind == "year":
        return 2017
    if kind == "count":
        return 1000 + n
    if kind in ("tags", "themes"):
        return [f"{f.name}の一", f"{f.name}の二"]
    return f"{f.label}の値{n}（{f.path}）"


def walk_data() -> dict:
    """A validated case (the shape CaseFileSchema.load returns) with every field distinctive."""
    data = case_fields.nest({f: sample(f) for f in CASE})
    for rows in ROWS.values():
        data[rows.name] = [{f.name: sample(f, n) for f in rows.fields} for n in range(2)]
    data["participants"][1].update(code=None, name="別の町", prefecture=None)  # codes are unique per case
    return data


def file_shaped(data: dict) -> dict:
    """The data as a YAML case file holds it: dates read back by the loader as text."""
    return loader.dates_as_text(cases.content_json(data))


@pytest.fixture
def saved(app, session, index):
    case, outcome = writes.save(session, index, walk_data())
    assert outcome == "created"
    return cases.get_case(session, "field-walk", public=False)


def test_every_sample_differs_from_the_blank_and_passes_the_schema():
    data = walk_data()
    for f in CASE:
        assert case_fields.value(data, f) not in ("", None, [], f.default), f.path
    for rows in ROWS.values():
        for f in rows.fields:
            assert data[rows.name][0][f.name] not in ("", None, f.default), f.name
    assert CaseFileSchema().load(file_shaped(data)) == data


def test_file_database_file(saved, session):
    data = walk_data()
    assert cases.case_data(saved) == data
    for f in CASE:  # stored as its kind stores it (a date as ISO text)
        assert getattr(saved, f.attr) == f.kind.to_model(case_fields.value(data, f)), f.attr
    for rows in ROWS.values():
        for row, expected in zip(getattr(saved, rows.name), data[rows.name], strict=True):
            assert {f.name: f.kind.from_model(getattr(row, f.attr)) for f in rows.fields} == expected
    # …and as a case file of cases/, read back as `casebook load` reads it.
    text = tabular.to_yaml(bulk.records_for(session, ["field-walk"])[0])
    assert CaseFileSchema().load(loader.dates_as_text(safe_files.read_yaml(text))) == data
    assert cases.same_content(saved, data)


def test_form_data_form(app, saved):
    data = walk_data()
    values = editor.form_data(saved)
    with app.test_request_context():
        form = case_form(values, {"cloud": "", "ai-ict": ""})
        submitted = form.data
    raw = editor.raw_case(submitted)
    assert CaseFileSchema().load({**raw, "status": data["status"]}) == data
    assert editor.raw_form_data(raw, saved.version)["participants"] == values["participants"]
    for f in CASE:
        if f.in_form:
            assert values[f.attr] not in ("", None, []), f.attr


def test_every_field_is_an_input_of_the_editor_with_its_label(app):
    with app.test_request_context():
        form = CaseForm(formdata=None, data={"participants": [{}], "effects": [{}]})
        for f in CASE:
            if f.in_form:
                assert getattr(form, f.attr).label.text == (f.form_label or f.label)
            else:
                assert not hasattr(form, f.attr)
        for rows in ROWS.values():
            row = getattr(form, rows.name).entries[0].form
            for f in rows.fields:
                assert getattr(row, f.name).label.text == (f.form_label or f.label)


@pytest.mark.parametrize("path", [f.path for f in CASE if f.in_form]
                         + [case_fields.row_path(r.name, 0, f.name) for r in ROWS.values() for f in r.fields])
def test_an_error_at_a_fields_path_is_shown_at_that_input(app, path):
    with app.test_request_context():
        form = case_form({"participants": [{}], "effects": [{}]}, {})
        assert attach_errors(form, [(path, "誤りの例")]) == []
        assert "誤りの例" in [e for field in _all_fields(form) for e in field.errors]


def _all_fields(form):
    for field in form:
        if field.type == "FieldList":
            for entry in field.entries:
                yield from entry.form
        else:
            yield field


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_table_row_data_row(saved, session, fmt):
    data = walk_data()
    records = bulk.records_for(session, ["field-walk"])
    row = tabular.case_to_row(records[0])
    for f in CASE:
        assert row[f.attr], f.attr
    for rows in ROWS.values():
        for f in rows.fields:
            assert row[tabular.column(rows, 1, f.name)], f.name
    upload = bulk.export(records, fmt)
    [(_number, read)] = tabular.read_table(upload, f"walk.{fmt}")
    assert {k: v for k, v in read.items() if v} == {k: v for k, v in row.items() if v}
    labels = {code: code for code in data["themes"]}
    assert CaseFileSchema().load(loader.dates_as_text(tabular.row_to_case(read, labels))) == data
    assert tabular.case_to_row(data) == row


def test_every_column_has_a_header_read_back_by_its_japanese_name():
    for key, header in tabular.headers(2, 2):
        label = header.rsplit(" (", 1)[0]
        assert tabular._header_key(header) == key and tabular._header_key(label) == key, header


def test_api_in_and_out(app, saved, session, index):
    data = walk_data()
    body = {k: v for k, v in cases.content_json(data).items() if k != "status"}
    assert CaseInSchema().load(body) == {k: v for k, v in data.items() if k != "status"}
    with app.test_request_context():
        out = CaseOutSchema().dump(case_body(saved, cases.theme_labels(session), index.bands))
        summary = CaseSummarySchema().dump(case_body(saved, {}, index.bands, full=False))
    expected = cases.content_json(data)
    for f in CASE:
        got = out[f.name] if not f.group else out[f.group][f.name]
        want = case_fields.value(expected, f)
        if f.name == "themes":
            got = [t["code"] for t in got]
        assert got == want, f.path
        if f.summary:
            assert f.name in summary
    for rows in ROWS.values():
        for got, want in zip(out[rows.name], expected[rows.name], strict=True):
            assert {k: got[k] for k in want} == want


def test_every_path_of_a_diff_and_of_an_error_has_a_label():
    content = cases.content_json(walk_data())
    paths = workflow.flatten(content)
    assert len(paths) == len(CASE) + 2 * sum(len(r.fields) for r in ROWS.values())
    for path in paths:
        assert web.field_label(path) != path, path
    assert web.field_label("effects[1].status") == "効果2 区分"
    assert web.field_label("participants") == "参加団体" and web.field_label("（全体）") == "（全体）"
    assert {f.path for f in CASE} | {"participants", "effects"} <= set(web.FIELD_LABELS)


def test_registry_is_consistent():
    paths = [f.path for f in CASE]
    assert len(paths) == len(set(paths))
    assert set(case_fields.NESTED) == {f.group for f in CASE if f.group}
    for rows in ROWS.values():
        assert set(rows.keys) <= {f.name for f in rows.fields}
    assert PARTICIPANTS.most == CaseFileSchema().fields["participants"].validators[-1].max
    assert EFFECTS.most == CaseFileSchema().fields["effects"].validators[-1].max
