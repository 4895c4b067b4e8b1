"""Atomic output: a directory or a file appears whole or not at all.

Every writer of revopt (``revopt solve``, ``generate``, ``plan evaluate``, ``geo import``,
the plan report, the GeoPackage export, ``revopt map``) writes into a temporary sibling of
its target and renames it into place only when everything is written; on any error the
temporary is removed and the target is left as it was. The temporary lies in the target's
own directory so that the rename never crosses a file system.

This module sits at the bottom of the layers: it imports nothing of revopt.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class DirectoryNotEmpty(FileExistsError):
    """The target directory holds files and ``force`` was not given (the CLI's exit 2)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} is not empty (pass force=True to replace it)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _refuse(path: Path, force: bool) -> None:
    """Raise when ``path`` cannot be replaced by a directory: a file, or not empty without ``force``."""
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{path} exists and is not a directory")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise DirectoryNotEmpty(path)


def _swap_in(tmp: Path, path: Path, force: bool) -> None:
    """Rename ``tmp`` to ``path``; an existing ``path`` is moved aside first and removed after."""
    _refuse(path, force)                  # again: it may have been filled while we wrote
    old = None
    if path.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=tmp.parent))
        os.rmdir(old)
        os.rename(path, old)
    try:
        os.rename(tmp, path)
    except BaseException:
        if old is not None and not path.exists():
            os.rename(old, path)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def atomic_dir(path: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield an empty temporary directory beside ``path``; when the block ends without an
    error it becomes ``path``, otherwise it is removed and ``path`` is left as it was.

    An existing empty directory is replaced; a non-empty one only with ``force``
    (:class:`DirectoryNotEmpty` otherwise, raised before the block runs and checked again
    before the rename); a file at ``path`` raises :class:`NotADirectoryError`.
    """
    path = Path(path)
    _refuse(path, force)
    parent = path.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; the result is an ordinary directory
        yield tmp
        _swap_in(tmp, path, force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def atomic_file(path: str | Path, *, suffix: str = "") -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path`` (the file does not exist yet: the writer
    creates it, as GDAL insists on); when the block ends without an error it replaces ``path``,
    otherwise it is removed and ``path`` is left as it was. ``suffix`` keeps the extension
    some writers choose their format by."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomically(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_file`."""
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


__all__ = ["DirectoryNotEmpty", "atomic_dir", "atomic_file", "write_text_atomically"]
