"""The parallel rebuild's writer processes, which die with the process that started them.

Whoosh's multiprocessing writer forks writer processes that wait on a job queue; killed, their
parent sends them nothing more, and they would wait forever (holding whatever they inherited).
Here each writer asks the kernel to kill it when its parent dies (Linux: prctl PR_SET_PDEATHSIG),
and also watches its parent's pid, so that it exits elsewhere too, or if the parent died before
it could ask. The locks the parent holds are not the writers' (lock.py closes them in
every forked child). A cancelled writer kills its processes rather than leave them waiting.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

from whoosh.multiproc import MpWriter, SubWriterTask

PR_SET_PDEATHSIG = 1
WATCH_EVERY = 0.5  # seconds between a writer's looks at its parent


def die_with_parent(parent: int) -> None:
    """In a child process: end it when process `parent` ends."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watcher below still ends it
    if os.getppid() != parent:  # the parent died before the request above
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="casebook-writer-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os._exit(1)


class _MortalTask(SubWriterTask):
    def __init__(self, parent: int, *args):
        super().__init__(*args)
        self.parent = parent

    def run(self) -> None:
        die_with_parent(self.parent)
        super().run()


class ParallelWriter(MpWriter):
    """Whoosh's multiprocessing writer, with writer processes that end with this process (or when cancelled)."""

    def _new_task(self):
        task = _MortalTask(os.getpid(), self.storage, self.indexname, self.jobqueue, self.resultqueue,
                           self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self) -> None:
        """Kill the writer processes (they would wait for jobs forever) and drop what was written."""
        try:
            for task in self.tasks:
                if task.is_alive():
                    task.kill()
                task.join(5)
        finally:
            super().cancel()
