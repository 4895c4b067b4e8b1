"""Atomic output (revopt.data.atomic): a directory or file appears whole or not at all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT
from revopt.cli import main
from revopt.data.atomic import DirectoryNotEmpty, atomic_dir, atomic_file, write_text_atomically


def leftovers(parent: Path) -> list[str]:
    """Temporary siblings left behind (their names start with a dot)."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_dir_appears_whole(tmp_path):
    out = tmp_path / "a" / "out"
    with atomic_dir(out) as d:
        assert d.parent == out.parent.resolve() and not out.exists()
        (d / "x.csv").write_text("1\n")
    assert (out / "x.csv").read_text() == "1\n"
    assert leftovers(out.parent) == []


def test_failing_write_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_dir(out) as d:
            (d / "half.csv").write_text("1\n")
            raise RuntimeError("boom")
    assert not out.exists() and leftovers(tmp_path) == []


def test_failing_write_keeps_the_old_directory(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.csv").write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_dir(out, force=True) as d:
            (d / "new.csv").write_text("new\n")
            raise RuntimeError("boom")
    assert [p.name for p in out.iterdir()] == ["old.csv"] and leftovers(tmp_path) == []


def test_non_empty_refused_without_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("keep\n")
    ran = []
    with pytest.raises(DirectoryNotEmpty) as e:
        with atomic_dir(out):
            ran.append(1)
    assert not ran, "refused before the block runs"
    assert e.value.path == out and isinstance(e.value, FileExistsError)
    assert (out / "keep.txt").read_text() == "keep\n" and leftovers(tmp_path) == []


def test_filled_while_writing_refused(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(DirectoryNotEmpty):
        with atomic_dir(out) as d:
            (d / "new.csv").write_text("new\n")
            out.mkdir()
            (out / "theirs.txt").write_text("theirs\n")
    assert [p.name for p in out.iterdir()] == ["theirs.txt"] and leftovers(tmp_path) == []


def test_force_replaces_and_empty_dir_is_replaced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.csv").write_text("old\n")
    with atomic_dir(out, force=True) as d:
        (d / "new.csv").write_text("new\n")
    assert [p.name for p in out.iterdir()] == ["new.csv"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_dir(empty) as d:
        (d / "a.csv").write_text("a\n")
    assert [p.name for p in empty.iterdir()] == ["a.csv"] and leftovers(tmp_path) == []


def test_file_in_the_way_refused(tmp_path):
    out = tmp_path / "out"
    out.write_text("a file\n")
    with pytest.raises(NotADirectoryError):
        with atomic_dir(out, force=True):
            pass
    assert out.read_text() == "a file\n" and leftovers(tmp_path) == []


def test_atomic_file(tmp_path):
    out = tmp_path / "m.svg"
    write_text_atomically(out, "<svg/>")
    assert out.read_text() == "<svg/>"
    with pytest.raises(RuntimeError):
        with atomic_file(out, suffix=".svg") as tmp:
            assert tmp.suffix == ".svg" and not tmp.exists()
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert out.read_text() == "<svg/>" and leftovers(tmp_path) == []
    with atomic_file(out) as tmp:
        tmp.write_text("<svg>2</svg>")
    assert out.read_text() == "<svg>2</svg>" and leftovers(tmp_path) == []


def test_data_layer_imports_nothing_of_revopt():
    tree = ast.parse((ROOT / "src" / "revopt" / "data" / "atomic.py").read_text(encoding="utf-8"))
    mods = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 0]
    mods += [a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
             for a in n.names if a.name.startswith("revopt")]
    assert mods == []


def test_cli_generate_failure_leaves_no_directory(tmp_path, monkeypatch, capsys):
    """A writer that fails half-way (here: the instance's writer) leaves neither OUT nor a temporary."""
    from revopt.data.instance import Instance

    def broken(self, d):
        (Path(d) / "firms.csv").write_text("half\n")
        raise OSError("disk full")

    monkeypatch.setattr(Instance, "write", broken)
    out = tmp_path / "g"
    assert main(["generate", str(out), "--preset", "tiny", "--quiet"]) == 1
    assert "disk full" in capsys.readouterr().err
    assert not out.exists() and leftovers(tmp_path) == []
