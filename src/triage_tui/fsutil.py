"""Atomic file writes: temp file in the same folder, fsync, os.replace."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: str | Path, data: bytes, *, backup: bool = False) -> Path:
    """Write `data` to `path` so that a reader sees the old file or the new one, never half.

    Args:
        path: destination file.
        data: the complete new content.
        backup: keep the previous file (if any) as ``<path>.bak``.

    Returns:
        The path written.

    Raises:
        OSError: the folder is missing or read-only, the disk is full, the path is a
            directory... The destination is untouched and no temp file is left behind.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if backup and target.exists():
            bak = target.with_name(target.name + ".bak")
            with contextlib.suppress(OSError):
                _copy_for_backup(target, bak)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)
    return target


def atomic_write_text(path: str | Path, text: str, *, backup: bool = False) -> Path:
    """Write UTF-8 text atomically; see `atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode("utf-8"), backup=backup)


def _copy_for_backup(src: Path, dst: Path) -> None:
    # Copy rather than rename: the target must exist until the new file replaces it.
    data = src.read_bytes()
    atomic_write_bytes(dst, data)


def _fsync_dir(folder: Path) -> None:
    # Make the rename itself durable; not every platform/filesystem allows it.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
