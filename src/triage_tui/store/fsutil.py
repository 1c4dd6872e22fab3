"""Atomic file writes (temp file in the same folder, fsync, os.replace) and their error messages."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import secrets
import stat
import tempfile
import time
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
        backup: keep the previous file (if any) as a ``.bak`` in the state folder
            (`paths.backup_path`: beside the autosave, never in the file's own folder),
            and leave a file already holding `data` as it is (no write, no backup). If
            the backup cannot be made, nothing is written and the error is raised: an
            existing file is never replaced without its backup.

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
    if backup and _holds(target, data):
        return target  # saving the same plan again writes nothing
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
    from triage_tui.core.sanitize import shown

    # The text boundary: a file name holding ESC or U+202E is shown, never acted on.
    return shown(_describe_write_error(path, error))


def _describe_write_error(path: str | Path, error: OSError) -> str:
    if isinstance(error, WriteRefused):
        return str(error)
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


def _holds(target: Path, data: bytes) -> bool:
    """Whether `target` is a file holding exactly `data` (size checked first)."""
    try:
        if target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False


def _keep_backup(target: Path) -> None:
    from triage_tui.store.paths import backup_path

    bak = backup_path(target)
    bak.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
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


class WriteRefused(OSError):
    """A write outside the one folder this app may write to (``--out DIR``, as `serve` runs it).

    Its text is the sentence the user sees (`describe_write_error` returns it as is).
    """

    def __init__(self, path: str | Path, folder: str | Path) -> None:
        self.path = Path(path)
        self.folder = Path(folder)
        super().__init__(
            errno.EACCES,
            f"Not written: {self.path} is outside {self.folder}, the one folder this "
            "app writes to (--out); choose a path inside it.",
            str(self.path),
        )

    def __str__(self) -> str:
        return str(self.strerror)


def inside(path: str | Path, folder: str | Path) -> bool:
    """Whether ``path``, resolved as the write would resolve it, lies inside ``folder``.

    Both are made absolute and every symlink on the way is followed (a link inside the
    folder pointing out of it is outside); ``..`` cannot climb out either. A path that
    does not exist yet is resolved as far as it exists.
    """
    target = os.path.realpath(os.path.abspath(os.fspath(path)))
    root = os.path.realpath(os.path.abspath(os.fspath(folder)))
    try:
        return os.path.commonpath([target, root]) == root
    except ValueError:  # different drives (Windows)
        return False


def check_inside(path: str | Path, folder: str | Path | None) -> None:
    """Raise `WriteRefused` unless ``folder`` is None or ``path`` is `inside` it."""
    if folder is not None and not inside(path, folder):
        raise WriteRefused(path, folder)


#: Our temp files: ``.NAME.RANDOM.tmp`` (`atomic_write_bytes`, `_keep_backup`); the
#: random part is mkstemp's 8 characters or a token_hex(4).
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def remove_stale_temp_files(folder: str | Path, older_than: float) -> list[Path]:
    """Delete our own temp files in ``folder`` last changed before ``older_than``.

    A write killed half-way (a crash, kill -9, a power cut) leaves its temp file behind:
    a 4 MB ``.b10k.plan.toml.x1y2z3w4.tmp`` beside the plan, which ``git add .`` picks
    up. Only regular files named as `atomic_write_bytes` names them (never a symlink)
    and older than ``older_than`` (this process's start: a write in flight in another
    window is younger) are removed.

    Args:
        folder: the folder to sweep (the state dir, a plan's folder).
        older_than: a time.time() value.

    Returns:
        The files removed. A missing folder or a file that cannot be removed is skipped.
    """
    removed: list[Path] = []
    try:
        entries = os.scandir(folder)
    except OSError:
        return removed
    with entries:
        for entry in entries:
            if not _TEMP_NAME.match(entry.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(info.st_mode) or info.st_mtime >= older_than:
                    continue
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed


#: When this process started (near enough: this module is imported before any write).
PROCESS_START = time.time()
#: A temp file younger than this may be another window's write in flight: left alone.
_IN_FLIGHT_SECONDS = 30.0


def sweep_temp_files(*folders: str | Path) -> list[Path]:
    """`remove_stale_temp_files` in each folder, for temp files older than this process
    (and than a write in flight elsewhere could be); called once a backlog is open."""
    older_than = min(PROCESS_START, time.time() - _IN_FLIGHT_SECONDS)
    removed: list[Path] = []
    for folder in dict.fromkeys(Path(folder) for folder in folders):
        removed += remove_stale_temp_files(folder, older_than)
    return removed
