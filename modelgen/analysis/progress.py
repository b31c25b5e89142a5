"""A progress bar (rich, on stderr) for any run that takes more than a second.

The bar appears only once the run has lasted SHOW_AFTER seconds, and only on a terminal, so
quick runs and piped output stay clean."""
from __future__ import annotations

import sys
import threading
from typing import Any, Optional

SHOW_AFTER = 1.0


class LazyProgress:
    def __init__(self, total: Optional[int], description: str, enabled: Optional[bool] = None):
        self.total = total
        self.description = description
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.done = 0
        self._bar: Any = None
        self._task: Any = None
        self._lock = threading.Lock()
        self._timer: Optional[threading.Timer] = None

    def __enter__(self) -> "LazyProgress":
        if self.enabled:
            self._timer = threading.Timer(SHOW_AFTER, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        with self._lock:
            if self._bar is not None or self._timer is None:
                return
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task(self.description, total=self.total, completed=self.done)
            self._bar.start()

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            if self._bar is not None:
                self._bar.update(self._task, completed=self.done)

    def set_total(self, total: int) -> None:
        with self._lock:
            self.total = total
            if self._bar is not None:
                self._bar.update(self._task, total=total)

    def set_description(self, text: str) -> None:
        with self._lock:
            self.description = text
            if self._bar is not None:
                self._bar.update(self._task, description=text)

    def __exit__(self, *exc) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._bar is not None:
                self._bar.stop()
                self._bar = None
