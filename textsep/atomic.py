"""Atomic file writing, in one place: write beside the target under a hidden name, then rename.

A reader never sees a half-written file, an interrupted or failed write leaves the target as it was and
removes its temporary file, and the new file gets the mode a plain `open(path, "w")` would give it (or,
when it replaces a file, that file's mode). The process umask is never changed to find the mode: the
temporary file is created with 0o666 and the kernel applies the umask, as it does for any new file.
Live temporary files are tracked so a signal handler can remove them (`remove_pending`).
"""
from __future__ import annotations

import os
import secrets
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_pending: set[Path] = set()
_lock = threading.Lock()


def temp_path_for(path: Path, suffix: str = ".part") -> Path:
    """A new hidden file beside `path`, created empty with mode 0o666 & ~umask (never an existing one)."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{suffix}")
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        with _lock:
            _pending.add(tmp)
        return tmp
    raise FileExistsError(f"cannot create a temporary file beside {path}")


def discard(tmp: Path) -> None:
    """Remove an unfinished temporary file (from temp_path_for); no error if it is already gone."""
    tmp = Path(tmp)
    with _lock:
        _pending.discard(tmp)
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass


def commit(tmp: Path, path: Path, *, overwrite: bool = True) -> None:
    """Move a finished temporary file onto `path`, keeping the mode of a file it replaces.

    overwrite=False never replaces a file: the commit is a hard link (atomic, fails if `path` exists),
    and FileExistsError says that a file appeared at `path`; the temporary file is then left for the
    caller to discard.
    """
    tmp, path = Path(tmp), Path(path)
    if not overwrite:
        _commit_new(tmp, path)
        return
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    if old is not None and stat.S_ISREG(old.st_mode):
        os.chmod(tmp, stat.S_IMODE(old.st_mode))
    os.replace(tmp, path)
    with _lock:
        _pending.discard(tmp)


def _commit_new(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)  # atomic and never clobbers
    except FileExistsError:
        raise
    except OSError:  # file systems without hard links: check, then rename (a small race, no better way)
        if os.path.lexists(path):
            raise FileExistsError(path) from None
        os.replace(tmp, path)
        with _lock:
            _pending.discard(tmp)
        return
    discard(tmp)


@contextmanager
def atomic_path(path, suffix: str = ".part") -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on any exit by error it is removed.

    BaseException is caught on purpose: Ctrl+C or a SystemExit from a signal handler must not leave the
    hidden file behind.
    """
    path = Path(path)
    tmp = temp_path_for(path, suffix)
    try:
        yield tmp
        commit(tmp, path)
    except BaseException:
        discard(tmp)
        raise


def write_bytes(path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes(path, text.encode(encoding))


def remove_pending() -> list[Path]:
    """Remove every temporary file still being written (for SIGTERM/SIGINT handlers); return them."""
    with _lock:
        items = list(_pending)
    for tmp in items:
        discard(tmp)
    return items
