"""Where the chunks of an analysis run: a plain loop, a dask LocalCluster, or a running cluster.

Every unit of work is a pure function of its arguments (a base input tree, the cases or path
indices of one chunk, the seed), so the results do not depend on how the work is chunked or on
how many workers run it: they are gathered back in chunk order.

- ``--scheduler ADDRESS``: a running dask.distributed scheduler (``dask scheduler`` and
  ``dask worker ADDRESS`` on the machines; modelgen installed on every worker). An address that
  does not answer fails within SCHEDULER_TIMEOUT seconds with one line.
- ``--workers N``: N = 1 runs a plain loop in this process; N >= 2 starts a LocalCluster of N
  single-threaded worker processes.
- neither: a LocalCluster sized to the machine above the command's threshold, a loop below.
"""
from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, Sequence

from ..errors import ModelgenError

SCHEDULER_TIMEOUT = 5.0            # seconds to reach a scheduler, and again to see a worker
ADDRESS = re.compile(r"^(?:(tcp|tls|inproc|ucx|ws|wss)://)?[^\s/:]+(?::\d{1,5})?/?$")
_QUIET = ("distributed", "distributed.client", "distributed.core", "distributed.comm", "distributed.worker",
          "distributed.scheduler", "distributed.nanny", "tornado", "asyncio")


@contextmanager
def _quiet_logs(level: int = logging.CRITICAL) -> Iterator[None]:
    """Keep dask's connection retries and shutdown chatter off the user's terminal."""
    loggers = [logging.getLogger(name) for name in _QUIET]
    before = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(level)
    try:
        yield
    finally:
        for lg, lvl in zip(loggers, before):
            lg.setLevel(lvl)


def check_workers(workers: Optional[int]) -> None:
    if workers is not None and workers < 1:
        raise ModelgenError(f"--workers: must be at least 1 (got {workers})")


class Runner:
    """Runs ``fn(*args)`` for each argument tuple and returns the results in order.

    Use as a context manager: the cluster or the client, if any, is closed on exit."""

    def __init__(self, scheduler: Optional[str] = None, workers: Optional[int] = None, size: int = 0,
                 threshold: int = 0):
        check_workers(workers)
        if scheduler is not None and not ADDRESS.match(scheduler.strip()):
            raise ModelgenError(f"--scheduler '{scheduler}': not a scheduler address (e.g. tcp://10.0.0.5:8786)")
        self.scheduler = scheduler.strip() if scheduler else None
        if self.scheduler:
            self.mode = "scheduler"
        elif workers is not None:
            self.mode = "local" if workers >= 2 else "loop"
        else:
            self.mode = "local" if threshold and size >= threshold and (os.cpu_count() or 1) >= 2 else "loop"
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.client: Any = None
        self.cluster: Any = None

    def describe(self) -> str:
        if self.mode == "scheduler":
            return f"dask scheduler {self.scheduler} ({self.worker_count()} workers)"
        if self.mode == "local":
            return f"dask LocalCluster ({self.workers} worker processes)"
        return "one process"

    def worker_count(self) -> int:
        if self.client is None:
            return 1
        return len(self.client.scheduler_info().get("workers", {}))

    def __enter__(self) -> "Runner":
        if self.mode == "loop":
            return self
        with _quiet_logs():
            from distributed import Client, LocalCluster
            if self.mode == "scheduler":
                shown = str(self.scheduler)
                address = shown if "://" in shown else f"tcp://{shown}"
                probe_scheduler(address, shown)
                try:
                    self.client = Client(address, timeout=SCHEDULER_TIMEOUT, set_as_default=False)
                    self.client.wait_for_workers(1, timeout=SCHEDULER_TIMEOUT)
                except Exception as exc:  # OSError, TimeoutError, CommClosedError...
                    if self.client is not None:
                        self.client.close(timeout=2)
                        self.client = None
                    reason = " ".join(str(exc).split())[:120] or type(exc).__name__
                    raise ModelgenError(f"--scheduler {self.scheduler}: the scheduler has no worker "
                                        f"(waited {SCHEDULER_TIMEOUT:g} s; {reason})") from None
            else:
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.CRITICAL)
                self.client = Client(self.cluster, set_as_default=False)
        return self

    def __exit__(self, *exc) -> None:
        with _quiet_logs():
            if self.client is not None:
                self.client.close()
            if self.cluster is not None:
                self.cluster.close()
        self.client = self.cluster = None

    def map(self, fn: Callable[..., Any], calls: Sequence[tuple], progress: Optional[Callable[[Any], None]] = None) -> list:
        """[fn(*args) for args in calls], in order; ``progress(result)`` after each finishes."""
        results: list = []
        if self.client is None:
            for args in calls:
                result = fn(*args)
                if progress:
                    progress(result)
                results.append(result)
            return results
        from distributed import as_completed
        futures = [self.client.submit(fn, *args, pure=False) for args in calls]
        index = {f.key: i for i, f in enumerate(futures)}
        results = [None] * len(futures)
        try:
            for future in as_completed(futures, loop=self.client.loop):
                result = future.result()
                results[index[future.key]] = result
                if progress:
                    progress(result)
        except ModelgenError:
            raise
        except Exception as exc:
            for f in futures:
                f.cancel()
            raise ModelgenError(f"a dask worker failed: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from None
        return results


def probe_scheduler(address: str, shown: str, timeout: float = SCHEDULER_TIMEOUT) -> dict:
    """Ask the address who it is (dask's identity call) within ``timeout`` seconds, before any Client exists.

    A Client that fails half-way keeps retrying, and complains again when it is garbage
    collected; the probe fails cleanly instead: nothing answers, or something that is not a
    dask scheduler answers."""
    import asyncio

    from distributed.core import rpc

    async def identity() -> dict:
        remote = rpc(address, timeout=timeout)
        try:
            return await remote.identity()
        finally:
            await remote.close_rpc()

    try:
        info = asyncio.run(asyncio.wait_for(identity(), timeout + 0.5))
    except (OSError, asyncio.TimeoutError) as exc:
        reason = " ".join(str(exc).split())[:100] or type(exc).__name__
        raise ModelgenError(f"--scheduler {shown}: no dask scheduler answered within {timeout:g} s ({reason})") from None
    except Exception:  # a protocol error: something answered that does not speak dask's protocol
        raise ModelgenError(f"--scheduler {shown}: what answered is not a dask scheduler") from None
    if not isinstance(info, dict) or info.get("type") != "Scheduler":
        raise ModelgenError(f"--scheduler {shown}: what answered is not a dask scheduler")
    return info


def chunks(n: int, size: int) -> list[tuple[int, int]]:
    """[start, stop) index ranges of at most ``size`` covering 0..n."""
    size = max(1, size)
    return [(i, min(n, i + size)) for i in range(0, n, size)]
