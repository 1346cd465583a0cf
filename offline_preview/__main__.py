"""`python -m offline_preview`: signals are handled before anything heavy is imported (see processes)."""

import contextlib
import os
import sys

from offline_preview.processes import exit_on_signals

exit_on_signals()

from offline_preview.cli import main  # noqa: E402 - after the signal handlers, so no signal finds none

code = main()
for stream in (sys.stdout, sys.stderr):
    with contextlib.suppress(OSError, ValueError):
        stream.flush()
# No interpreter shutdown: nothing left can hold the exit back (a thread of the SDK, a stdout that fails).
os._exit(code)
