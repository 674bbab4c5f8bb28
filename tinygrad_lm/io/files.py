"""Writing output files without following symbolic links, and output folders that vanish on failure.

Every file the package writes (figures, graph sources, pages) goes through ``write_bytes`` or
``write_text``: a destination that is a symbolic link is refused, and the file is opened with
``O_NOFOLLOW``, so a link planted in an output folder cannot redirect a write to the file it
points to. ``output_folder`` creates a folder for a command and removes it again, if it was
new and is still empty, when the command fails.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["check_writable_folder", "output_folder", "save_figure", "write_bytes",
           "write_text"]

# O_NOFOLLOW is POSIX; elsewhere the explicit is_symlink test below is the only guard.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) \
    | getattr(os, "O_BINARY", 0)


def _refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise OSError(f"refusing to write {path}: it is a symbolic link (to "
                      f"{os.readlink(path)}); remove it and run again")


def write_bytes(path: str | os.PathLike, data: bytes) -> str:
    """Write ``data`` to ``path``, refusing a symbolic link there; return the path as a string.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     link = Path(d) / "link"
    ...     link.symlink_to(Path(d) / "target")
    ...     write_bytes(link, b"x")
    Traceback (most recent call last):
      ...
    OSError: refusing to write .../link: it is a symbolic link (to .../target); remove it ...
    """
    path = Path(path)
    _refuse_link(path)
    try:
        fd = os.open(path, _FLAGS, 0o666)
    except OSError as e:
        if path.is_symlink():      # planted between the test above and the open
            _refuse_link(path)
        raise OSError(f"cannot write {path}: {e.strerror or e}") from None
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return str(path)


def write_text(path: str | os.PathLike, text: str) -> str:
    """Write ``text`` as UTF-8 to ``path`` as ``write_bytes`` does; return the path.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     Path(write_text(Path(d) / "a.txt", "hi")).read_text()
    'hi'
    """
    return write_bytes(path, text.encode("utf-8"))


def save_figure(fig: Any, path: str | os.PathLike, **savefig_kwargs: Any) -> str:
    """Render a matplotlib figure in memory and write it with ``write_bytes``; return the path.

    The format is the path's suffix, as in ``savefig``.

    >>> import matplotlib.pyplot as plt, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     Path(save_figure(plt.figure(), Path(d) / "f.png")).read_bytes()[:4]
    b'\\x89PNG'
    """
    path = Path(path)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=path.suffix.lstrip("."), **savefig_kwargs)
    return write_bytes(path, buffer.getvalue())


def check_writable_folder(path: Path) -> None:
    """Raise ``OSError`` unless a new file can be created in the folder ``path``.

    The probe file gets a fresh random name, created exclusively, so no planted file or link
    is ever opened.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     check_writable_folder(Path(d))
    """
    try:
        fd, probe = tempfile.mkstemp(prefix=".tinygrad_lm_write_check_", dir=path)
    except OSError as e:
        raise OSError(f"cannot write to the output folder {path}: {e.strerror or e}") from None
    os.close(fd)
    os.unlink(probe)


@contextlib.contextmanager
def output_folder(path: str | os.PathLike) -> Iterator[Path]:
    """Create the folder ``path`` (and its parents) for one command; undo that if it fails.

    Folders this call created are removed again, innermost first, when the body raises and
    they are still empty; a folder that existed before is never removed.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     try:
    ...         with output_folder(Path(d) / "new" / "run"):
    ...             raise ValueError("the run failed")
    ...     except ValueError:
    ...         pass
    ...     sorted(p.name for p in Path(d).iterdir())
    []
    """
    path = Path(path)
    created = []
    for folder in reversed([path, *path.parents]):
        if not folder.exists():
            created.append(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        _remove_empty(created)
        raise OSError(f"cannot create the output folder {path}: {e.strerror or e}") from None
    try:
        check_writable_folder(path)
        yield path
    except BaseException:
        _remove_empty(created)
        raise


def _remove_empty(created: list[Path]) -> None:
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:      # not empty (or already gone): keep what the run wrote
            return
