"""Run an engine's program with a timeout, in a process group of its own that is ended afterwards.

LibreOffice starts helper processes (oosplash, soffice.bin) that may outlive the command; they
are all in the new session's process group, which is terminated (then killed) when the call
returns, fails or times out, so nothing is left running. Output goes to temporary files, not
pipes: a helper that inherits a pipe would otherwise hold the call open until the timeout.
"""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from typing import Sequence

from .base import EngineFailed


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def end_group(pgid: int, grace: float = 5.0) -> None:
    """Terminate the process group ``pgid`` (led by a child this module started), then kill what is left."""
    if not _group_alive(pgid):
        return
    try:
        os.killpg(pgid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run(engine: str, command: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``command``; EngineFailed on a timeout. No process of its group survives the call."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(list(command), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True, env=env)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            end_group(proc.pid, grace=1.0)
            proc.wait()
            raise EngineFailed(f"--engine {engine}: {os.path.basename(command[0])} did not finish within {timeout:.0f} s") from None
        finally:
            # the leader has exited; while any helper it left is alive the group id stays this
            # call's (Linux does not reuse a pid that is still a process group id): end them
            end_group(proc.pid)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out.read().decode(errors="replace"),
                                           err.read().decode(errors="replace"))
