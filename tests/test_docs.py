"""Docs generated from the schema stay in sync with it; the README's example runs."""

from __future__ import annotations

import re

from conftest import ROOT
from revopt.data.schema import ROW_KEYS, TABLE_FILES, columns_of, references, row_key, schema, to_markdown


def test_instance_format_doc_is_generated_from_schema():
    assert (ROOT / "docs" / "instance-format.md").read_text() == to_markdown() + "\n", (
        "regenerate: python -c 'from revopt.data.schema import to_markdown; print(to_markdown())'"
        " > docs/instance-format.md")


def test_schema_rows_are_well_formed():
    s = schema()
    assert not s.duplicated(["file", "column"]).any()
    assert set(s["rule"]) <= {"", ">=0", ">0"}
    assert s.loc[s["required"], "default"].eq("").all()


def test_keys_and_references_of_the_schema_name_real_columns():
    """The unique-key and reference checks of validate.py are driven by schema.csv (dtypes ``id``,
    ``ref:``, ``idlist:``) and ROW_KEYS: each must name columns that exist, a reference an id."""
    for file in TABLE_FILES:
        cols = set(columns_of(file)["column"])
        key = row_key(file)
        assert key is not None and set(key[1]) <= cols, file
        assert (file in ROW_KEYS) != (columns_of(file)["dtype"] == "id").any(), f"{file}: one kind of key"
        for col, target_file, target_col, _ in references(file):
            assert target_file in TABLE_FILES and row_key(target_file)[1] == [target_col], (file, col)
    assert sum(len(references(f)) for f in TABLE_FILES) == 13


def test_readme_python_example_runs(monkeypatch):
    text = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
