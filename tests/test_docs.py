"""Docs generated from the schema stay in sync with it; the README's example runs."""

from __future__ import annotations

import re

from revopt.data.schema import schema, to_markdown
from conftest import ROOT


def test_instance_format_doc_is_generated_from_schema():
    assert (ROOT / "docs" / "instance-format.md").read_text() == to_markdown() + "\n", \
        "regenerate: python -c 'from revopt.data.schema import to_markdown; print(to_markdown())' > docs/instance-format.md"


def test_schema_rows_are_well_formed():
    s = schema()
    assert not s.duplicated(["file", "column"]).any()
    assert set(s["rule"]) <= {"", ">=0", ">0"}
    assert s.loc[s["required"], "default"].eq("").all()


def test_readme_python_example_runs(monkeypatch):
    text = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
