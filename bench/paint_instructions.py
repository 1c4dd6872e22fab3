"""First paint in instructions: the floor app and triage-tui under valgrind's callgrind.

On a shared machine the wall and CPU times of a ~0.3 s launch move by tens of percent
between runs; the number of instructions a launch executes until its first frame does
not (two runs of the same code agree to 0.02%). Each program runs in a 120x36
pseudo-terminal under ``valgrind --tool=callgrind`` and stops (``os._exit``) as soon as
the frame carrying its marker has been written (Textual's driver ``write``); the total
is callgrind's ``totals:`` line (every thread: the autosave's included). Instructions
are not seconds (imports are memory-bound, Textual's layout is not), so use this to
compare versions and to find what costs, and the bench's rows for the target::

    .venv/bin/python bench/paint_instructions.py                  # floor, this checkout
    .venv/bin/python bench/paint_instructions.py /other/checkout/src   # and another

Needs valgrind (``apt-get install valgrind``); a launch takes ~15-40 s under it.
"""

from __future__ import annotations

import compileall
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers import PtyApp

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = ROOT / "sample_backlogs" / "acme.toml"

#: Run by the interpreter under valgrind: exits once the marker's frame is written.
_STOPPER = r"""
import os, sys
from textual.drivers import linux_driver
marker = os.environ["PAINT_MARKER"]
write = linux_driver.LinuxDriver.write
def stop_at_marker(self, data):
    write(self, data)
    if marker in data:
        os._exit(0)
linux_driver.LinuxDriver.write = stop_at_marker
if sys.argv[1] == "floor":
    sys.path.insert(0, os.environ["PAINT_BENCH"])
    from floor_app import FloorApp
    FloorApp().run()
else:
    from triage_tui.cli import main
    sys.argv = ["triage-tui", *sys.argv[2:]]
    main()
"""


def instructions(label: str, src: Path | None) -> int:
    """Instructions from the start of the interpreter until the first frame (floor if
    `src` is None, else triage-tui from `src` on the sample backlog)."""
    work = Path(tempfile.mkdtemp(prefix="paint-callgrind-"))
    try:
        script = work / "stopper.py"
        script.write_text(_STOPPER, encoding="utf-8")
        env = {
            "TRIAGE_TUI_STATE_DIR": str(work / "state"),
            "TRIAGE_TUI_CONFIG_DIR": str(work / "config"),
            "PYTHONHASHSEED": "0",
            "PAINT_BENCH": str(HERE),
        }
        if src is None:
            env["PAINT_MARKER"] = "Floor app ready"
            args = ["floor"]
        else:
            env["PAINT_MARKER"] = "25 items"
            env["PYTHONPATH"] = str(src)
            args = ["app", str(SAMPLE)]
        out = work / f"callgrind.{label}.%p"
        valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
        app = PtyApp([*valgrind, sys.executable, str(script), *args], env=env)
        deadline = time.monotonic() + 600
        total = 0
        while time.monotonic() < deadline:
            app.drain(0.5)
            files = glob.glob(str(work / f"callgrind.{label}.*"))
            totals = [
                line
                for name in files
                for line in Path(name).read_text(encoding="utf-8").splitlines()
                if line.startswith("totals:")
            ]
            if totals:
                total = sum(int(line.split()[1]) for line in totals)
                break
            if app.process.poll() is not None and not files:
                break
        if app.process.poll() is None:
            os.kill(app.pid, signal.SIGKILL)
        app.process.wait()
        return total
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 2
    sources = [ROOT / "src", *(Path(arg).resolve() for arg in argv)]
    for src in sources:  # as an installed copy: bytecode, not compiling at each launch
        compileall.compile_dir(str(src), quiet=1)
    floor = instructions("floor", None)
    print(f"{'floor app':<40} {floor / 1e6:9.1f} M instructions")
    for index, src in enumerate(sources):
        count = instructions(f"app{index}", src)
        print(f"{src!s:<40} {count / 1e6:9.1f} M instructions  {count / floor:.3f}x the floor")
    subprocess.run(["cat", "/proc/loadavg"], check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
