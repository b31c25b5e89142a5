"""Run an engine's program with a timeout, in a process group of its own that is ended afterwards.

LibreOffice starts helper processes (oosplash, soffice.bin) that may outlive the command; they
are all in the new session's process group, which is terminated (then killed) when the call
returns, fails or times out, so nothing is left running.
"""
from __future__ import annotations

import os
import signal
import subprocess
from typing import Sequence

from .base import EngineFailed


def _end_group(pgid: int, grace: float = 5.0) -> None:
    """Terminate the process group ``pgid`` (our own child's), then kill what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            return
        if sig == signal.SIGTERM:
            try:
                # wait for the group to empty: killpg(0) fails once no member is left
                for _ in range(int(grace / 0.05)):
                    os.killpg(pgid, 0)
                    _sleep(0.05)
            except (ProcessLookupError, PermissionError):
                return


def _sleep(seconds: float) -> None:
    import time
    time.sleep(seconds)


def run(engine: str, command: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``command``; raise EngineFailed on a timeout. No process of the group survives the call."""
    proc = subprocess.Popen(list(command), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_group(proc.pid, grace=1.0)
        proc.communicate()
        raise EngineFailed(f"--engine {engine}: {os.path.basename(command[0])} did not finish within {timeout:.0f} s") from None
    finally:
        _end_group(proc.pid)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
