"""A griffe extension for the API reference: Sphinx roles in revopt's docstrings become links.

revopt's docstrings cross-reference with reStructuredText roles (``:func:`revopt.solve```,
``:class:`~revopt.status.Progress```, ``:func:`write_gpkg```), which Markdown would show as
literal text. Once griffe has loaded the whole package, this extension rewrites each role into
an mkdocs-autorefs reference marked *optional*: a link where the target is on the site, plain
code where it is not (so an undocumented target never fails the strict build). A short or
relative name is resolved in the scope of the object whose docstring holds it, as Sphinx would;
``~`` keeps only the last part of the name as the title.

mkdocs.yml loads it from this file (``extensions: [docs/_build/rst_roles.py]``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):`(~?)(\.*[\w.]*\w)(?:\(\))?`")

#: a function that has the name of the module it is defined in: griffe resolves the name to the
#: module, the site documents the function
SHADOWED = {"revopt.solve": "revopt.solve.pipeline.solve", "revopt.plans.evaluate": "revopt.plans.evaluate.evaluate"}


def resolve(obj: griffe.Object, target: str) -> str:
    """The full path of ``target`` as written in the docstring of ``obj`` (``target`` when unknown)."""
    if target in SHADOWED:
        return SHADOWED[target]
    if target.startswith("."):
        rest = target.lstrip(".")
        package = obj.module if obj.module.is_package else obj.module.parent
        for _ in range(len(target) - len(rest) - 1):
            package = package.parent if package is not None else None
        return f"{package.path}.{rest}" if package is not None else rest
    head, _, tail = target.partition(".")
    try:
        full = obj.resolve(head)
    except griffe.NameResolutionError:
        return target
    path = f"{full}.{tail}" if tail else full
    return SHADOWED.get(path, path)


def rewrite_roles(obj: griffe.Object, text: str) -> str:
    """The docstring ``text`` of ``obj`` with every Sphinx role replaced by an optional autoref."""

    def autoref(match: re.Match[str]) -> str:
        short, target = match.group(1), match.group(2)
        title = target.rsplit(".", 1)[-1] if short else target.lstrip(".")
        return f'<autoref identifier="{resolve(obj, target)}" optional><code>{title}</code></autoref>'

    return ROLE.sub(autoref, text)


def _walk(obj: griffe.Object) -> Any:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _walk(member)  # type: ignore[arg-type]


class RstRoles(griffe.Extension):
    """Rewrites the roles in every docstring of a package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = rewrite_roles(obj, obj.docstring.value)
