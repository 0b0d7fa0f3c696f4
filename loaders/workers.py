"""Worker processes that do not outlive the refresh that started them."""
from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Initializer for forked pool workers: the kernel sends this worker SIGKILL when its parent dies.

    Without it, a worker of a refresh killed with SIGKILL waits for work forever: it holds the pool queue's
    pipe itself, so it never reads end-of-file."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
