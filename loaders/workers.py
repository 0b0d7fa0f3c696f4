"""Worker processes that do not outlive the refresh that started them."""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # linux/prctl.h
# What a forkserver imports once, so its workers start warm (the refresh's loaders and the indicator build).
WORKER_MODULES = ["loaders.refresh", "indicators.build"]


def die_with_parent(parent_pid: int) -> None:
    """Initializer for pool workers: the kernel sends this worker SIGKILL when its parent (this process, or
    the forkserver that dies with it) dies.

    Without it, a worker of a refresh killed with SIGKILL waits for work forever: it holds the pool queue's
    pipe itself, so it never reads end-of-file."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    try:  # the parent died before prctl took effect
        os.kill(parent_pid, 0)
    except ProcessLookupError:
        os._exit(1)


def pool_context(preload: list[str]):
    """The start method for a worker pool. ``fork`` is the fastest (the workers inherit what is loaded) but is
    only safe in a process with one thread (tqdm's progress-bar monitor, which only sleeps, aside): a lock another
    thread holds at the moment of the fork stays held in the child forever. The test process has several (Playwright's driver, HTTP test servers) and hung an
    indicator worker that way. With other threads alive the workers come from Python's forkserver, a clean
    single-threaded process that has imported ``preload`` once; it exits when this process does, and its
    workers then get SIGKILL through ``die_with_parent``."""
    others = [t for t in threading.enumerate()
              if t is not threading.current_thread() and t.name != "tqdm_monitor"]  # tqdm's only sleeps
    if not others:
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(preload)
    return ctx
