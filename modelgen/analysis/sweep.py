"""Verify a library of workbooks: many files or globs, on this machine or across a dask cluster.

:func:`verify_many` runs :func:`modelgen.verify.verify_workbook` once per file (one file is one
unit of work; on a cluster every worker must see the files at the same path, e.g. a shared
drive) and returns one compact record per file, in the order given.
"""
from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from ..errors import ModelgenError
from .distribute import Runner

LOCAL_CLUSTER_FILES = 4      # from this many files (and without --workers), a LocalCluster is used
GLOB_CHARS = set("*?[")


def expand(patterns: Iterable[str]) -> list[Path]:
    """Files and globs (``**`` reaches into folders) -> existing files, in order, without repeats."""
    out: dict[Path, None] = {}
    for pattern in patterns:
        if GLOB_CHARS & set(pattern):
            matches = sorted(glob.glob(pattern, recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            if not files:
                raise ModelgenError(f"{pattern}: no file matches")
        else:
            path = Path(pattern)
            if not path.is_file():
                raise ModelgenError(f"{pattern}: no such file")
            files = [path]
        for f in files:
            out.setdefault(f, None)
    if not out:
        raise ModelgenError("verify: name at least one workbook or glob")
    return list(out)


@dataclass
class FileResult:
    path: str
    ok: bool
    engine: str
    scenario: Optional[str] = None
    formula_cells: int = 0
    mismatches: int = 0
    first: list[str] = field(default_factory=list)
    error: Optional[str] = None        # a file that could not be verified (not a modelgen workbook, ...)

    def line(self) -> str:
        if self.error:
            return f"ERROR  {self.path} [{self.engine}]: {self.error}"
        if self.ok:
            return f"OK     {self.path} [{self.engine}]: scenario {self.scenario}, {self.formula_cells:,} formula cells agree"
        return f"FAILED {self.path} [{self.engine}]: {self.mismatches} cell(s) differ or did not evaluate"


def engine_names(engine: Optional[str]) -> list[Optional[str]]:
    """The engines a sweep runs: the one named, verify's default (None), or every installed one for "all"."""
    if engine != "all":
        return [engine]
    from ..engines import installed_engines

    return list(installed_engines())


def verify_one(path: str, engine: Optional[str] = None, show: int = 5) -> list[FileResult]:
    """Verify one workbook with one engine (None: verify's default), or every engine for "all" (a
    picklable unit of work for a dask worker); a user error (not a workbook, an engine not
    installed) becomes a record."""
    from ..verify import verify_workbook

    out = []
    for name in engine_names(engine):
        label = name or "default engine"
        try:
            report = verify_workbook(Path(path), engine=name) if name else verify_workbook(Path(path))
        except ModelgenError as exc:
            out.append(FileResult(path, False, label, error=str(exc)))
            continue
        out.append(FileResult(path, report.ok, label, report.scenario, report.formula_cells, len(report.mismatches),
                              [str(m) for m in report.mismatches[:show]]))
    return out


def verify_many(patterns: Iterable[str], engine: Optional[str] = None, scheduler: Optional[str] = None,
                workers: Optional[int] = None,
                progress: Optional[Callable[[list[FileResult]], None]] = None) -> list[FileResult]:
    """Verify every file named or matched, one unit of work per file; results in input order
    (one record per file and engine). ``progress`` sees each file's records as it finishes."""
    files = expand(patterns)
    with Runner(scheduler, workers, size=len(files), threshold=LOCAL_CLUSTER_FILES) as runner:
        parts = runner.map(verify_one, [(str(f), engine) for f in files], progress)
    return [record for part in parts for record in part]


def report_lines(results: list[FileResult], show: int = 5) -> tuple[list[str], int]:
    """What ``modelgen verify`` prints for a sweep (one line per file and engine, then the first
    differences of a failing one, then a count) and its exit code: 0 all OK, 1 any failure."""
    lines: list[str] = []
    for r in results:
        lines.append(r.line())
        lines.extend(f"  {m}" for m in r.first[:show])
    bad = sum(1 for r in results if not r.ok)
    files = len({r.path for r in results})
    lines.append(f"{len(results) - bad} of {len(results)} checks OK over {files} workbook(s)"
                 + (f"; {bad} FAILED" if bad else ""))
    return lines, 1 if bad else 0
