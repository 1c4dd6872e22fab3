"""Atomic file writes (temp file in the same folder, fsync, os.replace) and their error messages."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
import stat
import tempfile
from pathlib import Path


def atomic_write_bytes(path: str | Path, data: bytes, *, backup: bool = False) -> Path:
    """Write `data` to `path` so that a reader sees the old file or the new one, never half.

    The data goes to a temp file in the destination's folder, is fsynced, then renamed
    over the destination; the folder is fsynced so the rename survives a power cut. An
    existing file keeps its permission bits; a new one gets the usual umask-based mode.
    A symlink is written through (the link stays a link).

    Args:
        path: destination file.
        data: the complete new content.
        backup: keep the previous file (if any) as ``<path>.bak``. If the backup cannot
            be made, nothing is written and the error is raised: an existing file is
            never replaced without its backup.

    Returns:
        The path written (the link's target when `path` is a symlink).

    Raises:
        OSError: the folder is missing or read-only, the disk is full, the path is a
            directory... The destination is untouched and no temp file is left behind.
            `describe_write_error` turns it into a sentence for the user.
    """
    target = Path(path)
    if target.is_symlink():
        # Replacing the link itself would silently turn it into a regular file.
        target = Path(os.path.realpath(target))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    mode = _mode_for(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes 0600 files; a plan the team commits should keep its usual mode.
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)
        if backup and target.exists():
            _keep_backup(target)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
    return target


def atomic_write_text(path: str | Path, text: str, *, backup: bool = False) -> Path:
    """Write UTF-8 text atomically; see `atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode("utf-8"), backup=backup)


def describe_write_error(path: str | Path, error: OSError) -> str:
    """One sentence telling the user why `path` could not be written and what to do.

    The app shows it in a notification; the session stays in memory and in the
    autosave, so the sentence only has to say what is wrong with the destination.

    Args:
        path: the file the user asked to write.
        error: what `atomic_write_bytes` (or any write) raised.

    Returns:
        A sentence naming the file, the cause in plain words, and the way out.
    """
    target = Path(path)
    folder = target.parent
    code = error.errno
    if isinstance(error, IsADirectoryError) or code == errno.EISDIR:
        return f"Cannot write {target}: it is a folder, not a file; choose a file name inside it."
    if code == errno.EROFS:
        return (
            f"Cannot write {target}: the folder {folder} is on a read-only disk; "
            "choose another folder."
        )
    if isinstance(error, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return (
            f"Cannot write {target}: the folder {folder} is read-only for you "
            "(permission denied); choose another folder."
        )
    if isinstance(error, FileNotFoundError) or code == errno.ENOENT:
        return (
            f"Cannot write {target}: the folder {folder} does not exist; "
            "create it or choose another folder."
        )
    if code in _DISK_FULL:
        return (
            f"Cannot write {target}: the disk is full (no space left in {folder}); "
            "free some space or choose another disk."
        )
    if isinstance(error, NotADirectoryError) or code == errno.ENOTDIR:
        return (
            f"Cannot write {target}: part of that path is a file, not a folder; "
            "choose another path."
        )
    if code == errno.ENAMETOOLONG:
        return f"Cannot write {target}: the file name is too long; choose a shorter one."
    reason = (error.strerror or str(error) or type(error).__name__).rstrip(".")
    return f"Cannot write {target}: {reason[:1].lower()}{reason[1:]}; choose another path."


#: errno values that mean "no room left": a full disk or an exhausted quota.
_DISK_FULL = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None)) if code is not None
)


def _keep_backup(target: Path) -> None:
    bak = target.with_name(target.name + ".bak")
    # A hard link to the current file costs no copy and no disk space, and the target
    # keeps existing until the new content replaces it. Linked under a temp name first
    # so an older .bak is swapped out atomically too.
    link = bak.with_name(f".{bak.name}.{secrets.token_hex(4)}.tmp")
    try:
        os.link(target, link)
        os.replace(link, bak)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(link)
        # Filesystems without hard links (some FUSE and network mounts) get a copy;
        # if even that fails the caller's write is abandoned: no backup, no overwrite.
        atomic_write_bytes(bak, target.read_bytes())


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


@functools.cache
def _umask() -> int:
    # Linux reports the umask without changing it; elsewhere set-and-restore (once).
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fsync_dir(folder: str | Path) -> None:
    """Make a rename or a new file in `folder` durable; a no-op where not supported."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
