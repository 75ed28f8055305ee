"""Index locks that only their owner holds, and that name their owner.

- A lock is an flock() on a file, which the kernel drops when the last descriptor of its open
  file goes. fork() shares open files with the child, so a rebuild's writer processes would keep
  the lock after their parent was killed. Every lock taken here is therefore closed in the child
  right after a fork (os.register_at_fork), and opened close-on-exec, so that no program started
  later inherits it: only the process that took a lock holds it, and it dies with that process.
- A breakable lock (the rebuild lock) names its owner in its file ("pid start-time") while it
  is held; release empties the file. Held while its named owner is gone, it is stale: something
  that inherited the descriptor from the dead owner (an older version's writer process, say)
  keeps it. Those holders are found in /proc and killed, and the lock is taken. A lock that
  names no owner is never broken (it may be held by an older version that wrote none).
- A guard file is held for an instant around taking a breakable lock, probing it, and judging
  it stale, so that a new owner is never judged by the record of the old one.
"""
from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

GUARD_TIMEOUT = 2.0  # seconds to wait for a guard, held by others for an instant only
BREAK_WAIT = 3.0  # seconds to wait for killed holders to be gone

# The descriptors of the locks this process holds: closed in a forked child (see the module
# docstring). Per process by nature; _REGISTRY is held across fork() so the set is consistent.
_HELD: set[int] = set()
_REGISTRY = threading.Lock()


def _forget_in_child() -> None:
    for fd in _HELD:
        try:
            os.close(fd)  # not flock(LOCK_UN): that would unlock the parent's open file too
        except OSError:
            pass
    _HELD.clear()
    _REGISTRY.release()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_REGISTRY.acquire, after_in_parent=_REGISTRY.release,
                        after_in_child=_forget_in_child)


def _open(path: Path) -> int:
    with _REGISTRY:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        _HELD.add(fd)
    return fd


def _close(fd: int) -> None:
    with _REGISTRY:
        _HELD.discard(fd)
        os.close(fd)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


class FileLock:
    """An exclusive lock on `path` across processes, held by the taking process alone (see the module docstring)."""

    def __init__(self, path: str | os.PathLike, breakable: bool = False):
        self.path = Path(path)
        self.breakable = breakable
        self.fd: int | None = None

    def acquire(self, timeout: float = 0.0) -> bool:
        """Take the lock, trying until `timeout` seconds have passed (at least once); True when taken."""
        until = time.monotonic() + timeout
        while not self._try():
            if time.monotonic() >= until:
                return False
            time.sleep(0.05)
        return True

    def release(self) -> None:
        """Let go of the lock (its owner record first)."""
        fd, self.fd = self.fd, None
        if fd is None:
            return
        try:
            if self.breakable:
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            _close(fd)

    def probe(self) -> bool:
        """True when nobody holds the lock (taken and let go at once, writing nothing)."""
        with self._guard() as guarded:
            if not guarded:
                return False
            fd = _open(self.path)
            try:
                free = _try_flock(fd)
                if free:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                return free
            finally:
                _close(fd)

    def holders(self) -> list[int]:
        """The processes that have the lock file open (Linux; empty elsewhere)."""
        return holders_of(self.path)

    def _try(self) -> bool:
        with self._guard() as guarded:
            if not guarded:
                return False
            fd = _open(self.path)
            try:
                got = _try_flock(fd) or (self.breakable and self._break_stale(fd))
                if got and self.breakable:
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, f"{os.getpid()} {_started(os.getpid())}\n".encode("ascii"), 0)
            except BaseException:
                _close(fd)
                raise
            if not got:
                _close(fd)
                return False
            self.fd = fd
            return True

    @contextmanager
    def _guard(self) -> Iterator[bool]:
        # Yields False when the guard cannot be had (someone stopped while holding it): not now.
        if not self.breakable:
            yield True
            return
        guard = FileLock(self.path.with_name(self.path.name + ".guard"))
        if not guard.acquire(GUARD_TIMEOUT):
            log.error("%s is held for longer than an instant", guard.path)
            yield False
            return
        try:
            yield True
        finally:
            guard.release()

    def _break_stale(self, fd: int) -> bool:
        # Under the guard: is the lock held while its named owner is gone? Then kill its holders.
        owner = os.pread(fd, 64, 0).decode("ascii", "replace").split()
        if len(owner) != 2 or not owner[0].isdigit() or _alive(int(owner[0]), owner[1]):
            return False
        heirs = [pid for pid in holders_of(self.path) if pid != os.getpid()]  # this process: only this probe
        if not heirs:  # held where /proc does not show it (another machine or container): not ours to judge
            return False
        log.warning("rebuild lock %s is held by processes %s although its owner (pid %s) has died; "
                    "killing them and taking the lock", self.path, heirs, owner[0])
        for pid in heirs:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError as exc:
                log.error("cannot kill process %s holding %s: %s", pid, self.path, exc)
        until = time.monotonic() + BREAK_WAIT
        while not _try_flock(fd):
            if time.monotonic() >= until:
                return False
            time.sleep(0.02)
        return True


def _started(pid: int) -> str:
    """When process `pid` started, in clock ticks after boot (Linux), or "-" when unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[19].decode("ascii")
    except (OSError, IndexError):
        return "-"


def _alive(pid: int, started: str) -> bool:
    """True when process `pid` runs and is the one that started at `started` (not a later one with its number)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    now = _started(pid)
    return started == "-" or now in ("-", started)


def holders_of(path: Path) -> list[int]:
    """The processes that have `path` open, as far as /proc shows them."""
    try:
        wanted = path.stat()
        entries = os.listdir("/proc")
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
        except OSError:  # gone, or not ours to look at
            continue
        for fd in fds:
            try:
                seen = os.stat(f"/proc/{entry}/fd/{fd}")
            except OSError:
                continue
            if (seen.st_dev, seen.st_ino) == (wanted.st_dev, wanted.st_ino):
                found.append(int(entry))
                break
    return sorted(found)
