"""Atomic writes: the old file survives any failure, .bak kept, clear error messages."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from triage_tui.store.fsutil import atomic_write_bytes, atomic_write_text, describe_write_error
from triage_tui.store.paths import backup_path, backups_dir


def _raise(code: int) -> Any:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    return fail


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_a_new_file_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "plan.toml"
    assert atomic_write_text(target, "a = 1\n") == target
    assert target.read_text() == "a = 1\n"
    assert names(tmp_path) == ["plan.toml"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_overwrite_keeps_a_bak_of_the_previous_file_beside_the_autosave(tmp_path: Path) -> None:
    target = tmp_path / "plan.toml"
    bak = backup_path(target)
    assert bak.parent == backups_dir() and bak.name.startswith("plan.toml.")
    atomic_write_text(target, "one\n", backup=True)
    assert not bak.exists()  # nothing to back up the first time
    atomic_write_text(target, "two\n", backup=True)
    assert target.read_text() == "two\n"
    assert bak.read_text() == "one\n"
    atomic_write_text(target, "three\n", backup=True)
    assert bak.read_text() == "two\n"
    # The same content again: nothing written, the backup still the one before.
    atomic_write_text(target, "three\n", backup=True)
    assert bak.read_text() == "two\n"
    # No file but the plan in the plan's folder (a .bak there is picked up by git add .).
    assert names(tmp_path) == ["plan.toml"]
    assert names(backups_dir()) == [bak.name]
    # A plan of the same name in another folder keeps a backup of its own.
    (tmp_path / "other").mkdir()
    assert backup_path(tmp_path / "other" / "plan.toml") != bak


def test_the_same_content_again_is_not_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "plan.toml"
    atomic_write_text(target, "one\n", backup=True)
    os.utime(target, (1_000_000, 1_000_000))
    atomic_write_text(target, "one\n", backup=True)
    assert target.stat().st_mtime == 1_000_000
    atomic_write_text(target, "one\n")  # without backup: written as asked
    assert target.stat().st_mtime != 1_000_000


def test_backup_falls_back_to_a_copy_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("old\n")
    monkeypatch.setattr("triage_tui.store.fsutil.os.link", _raise(errno.EPERM))
    atomic_write_text(target, "new\n", backup=True)
    assert backup_path(target).read_text() == "old\n"
    assert target.read_text() == "new\n"
    assert names(tmp_path) == ["plan.toml"]


def test_overwrite_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("old\n")
    target.chmod(0o640)
    atomic_write_text(target, "new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.toml"
    real.write_text("old\n")
    link = tmp_path / "plan.toml"
    link.symlink_to(real)
    atomic_write_text(link, "new\n", backup=True)
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert backup_path(real).read_text() == "old\n"


@pytest.mark.parametrize("where", ["os.fsync", "os.replace"])
def test_a_failure_mid_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("the room's plan\n")
    monkeypatch.setattr(f"triage_tui.store.fsutil.{where}", _raise(errno.EIO))

    with pytest.raises(OSError) as caught:
        atomic_write_text(target, "half a plan", backup=True)

    assert caught.value.errno == errno.EIO
    assert target.read_text() == "the room's plan\n"
    leftovers = [n for n in names(tmp_path) if n.endswith(".tmp")]
    assert leftovers == []
    # The .bak (if the failure came after it) is the old plan too: nothing is lost.
    bak = backup_path(target)
    assert not bak.exists() or bak.read_text() == "the room's plan\n"


def test_disk_full_is_reported_and_the_old_file_survives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("old\n")
    monkeypatch.setattr("triage_tui.store.fsutil.os.fsync", _raise(errno.ENOSPC))
    with pytest.raises(OSError) as caught:
        atomic_write_text(target, "new\n")
    assert caught.value.errno == errno.ENOSPC
    assert target.read_text() == "old\n"
    assert names(tmp_path) == ["plan.toml"]
    message = describe_write_error(target, caught.value)
    assert message == (
        f"Cannot write {target}: the disk is full (no space left in {tmp_path}); "
        "free some space or choose another disk."
    )


def test_a_failed_backup_means_no_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("old\n")
    monkeypatch.setattr("triage_tui.store.fsutil.os.link", _raise(errno.EPERM))
    monkeypatch.setattr("pathlib.Path.read_bytes", _raise(errno.EIO))
    with pytest.raises(OSError):
        atomic_write_text(target, "new\n", backup=True)
    monkeypatch.undo()
    assert target.read_text() == "old\n"
    assert names(tmp_path) == ["plan.toml"]


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root writes into a 0o500 folder anyway; the emulated test below covers root",
)
def test_a_read_only_folder_really_refuses(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "plan.toml").write_text("old\n")
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError) as caught:
            atomic_write_text(folder / "plan.toml", "new\n", backup=True)
        assert (folder / "plan.toml").read_text() == "old\n"
        assert names(folder) == ["plan.toml"]
    finally:
        folder.chmod(0o700)
    assert "is read-only for you" in describe_write_error(folder / "plan.toml", caught.value)


def test_a_read_only_folder_emulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("old\n")
    monkeypatch.setattr("triage_tui.store.fsutil.tempfile.mkstemp", _raise(errno.EACCES))
    with pytest.raises(OSError) as caught:
        atomic_write_text(target, "new\n", backup=True)
    assert target.read_text() == "old\n"
    assert describe_write_error(target, caught.value) == (
        f"Cannot write {target}: the folder {tmp_path} is read-only for you "
        "(permission denied); choose another folder."
    )


def test_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "plan.toml"
    with pytest.raises(FileNotFoundError) as caught:
        atomic_write_text(target, "x")
    assert not (tmp_path / "nowhere").exists()
    assert describe_write_error(target, caught.value) == (
        f"Cannot write {target}: the folder {tmp_path / 'nowhere'} does not exist; "
        "create it or choose another folder."
    )


def test_a_path_that_is_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "exports"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(IsADirectoryError) as caught:
        atomic_write_bytes(target, b"x", backup=True)
    assert names(target) == ["keep.txt"]
    assert names(tmp_path) == ["exports"]
    assert describe_write_error(target, caught.value) == (
        f"Cannot write {target}: it is a folder, not a file; choose a file name inside it."
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (errno.EROFS, "is on a read-only disk; choose another folder."),
        (errno.EACCES, "is read-only for you (permission denied)"),
        (errno.EPERM, "is read-only for you (permission denied)"),
        (errno.ENOENT, "does not exist; create it or choose another folder."),
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "the disk is full"),
        (errno.EISDIR, "it is a folder, not a file"),
        (errno.ENOTDIR, "part of that path is a file, not a folder"),
        (errno.ENAMETOOLONG, "the file name is too long"),
        (errno.EIO, ": input/output error; choose another path."),
    ],
)
def test_describe_write_error_says_what_is_wrong(code: int, expected: str) -> None:
    path = Path("/exports/plan.toml")
    message = describe_write_error(path, OSError(code, os.strerror(code)))
    assert message.startswith(f"Cannot write {path}: ")
    assert expected in message
    assert message.endswith(".")
    assert message.count(". ") == 0  # one sentence


def test_describe_write_error_without_errno() -> None:
    message = describe_write_error("out.md", OSError("something odd"))
    assert message == "Cannot write out.md: something odd; choose another path."


def test_a_typed_path_expands_home_and_keeps_an_unknown_user_literal() -> None:
    from triage_tui.store.paths import user_path

    assert user_path("  ~/plan.toml ") == Path.home() / "plan.toml"
    # Path.expanduser raises RuntimeError here; the app must not (it would be a traceback).
    assert user_path("~nosuchuser-xyz/plan.toml") == Path("~nosuchuser-xyz/plan.toml")
