"""Allow `python -m triage_tui`."""

from triage_tui.cli import main

raise SystemExit(main())
