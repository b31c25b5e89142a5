"""The engine interface, the analyst round trip, and structural checks of every template.

Engines that are not installed are skipped outside CI; in CI a missing engine fails.
"""
from __future__ import annotations

import os
import sys
import time

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import SMALL_DEAL, engine_or_skip, find_row
from modelgen.build import build_workbook, reference_for
from modelgen.cli import main
from modelgen.engines import ENGINES, EngineFailed, make_engine, process
from modelgen.lint import ALLOWED_FUNCTIONS, lint_workbook, portability_problems
from modelgen.readback import open_workbook, read_inputs
from modelgen.template import bundled_templates, load_template
from modelgen.verify import verify_workbook


@pytest.fixture(scope="module")
def small_workbook(tmp_path_factory):
    return build_workbook(load_template(str(SMALL_DEAL)), tmp_path_factory.mktemp("small") / "s.xlsx").path


# --- lint: the forms every engine reads alike -------------------------------------------------

@pytest.mark.parametrize("name", list(bundled_templates()))
def test_structure_of_every_template(bundled_workbook, name):
    report = lint_workbook(openpyxl.load_workbook(bundled_workbook(name)))
    assert report.formula_cells > 400  # the smallest template (ionet-byod, BYOD only) has about 500
    assert report.functions <= ALLOWED_FUNCTIONS, report.disallowed
    assert not report.non_portable, list(report.non_portable.items())[:5]
    assert not report.cycle, report.cycle
    assert not report.bad_names, report.bad_names


def test_lint_catches_a_cycle_a_bad_function_a_bad_name_and_a_non_portable_index(small_workbook):
    wb = openpyxl.load_workbook(small_workbook)
    ws = wb["Waterfall"]
    r = find_row(ws, "opex_paid")
    ws[f"G{r}"] = f"=MIN(G{r + 1},G{r - 1})"  # opex_paid <- opex_unpaid <- opex_paid
    ws[f"H{r}"] = "=XLOOKUP(1,A1:A2,B1:B2)"
    ws[f"I{r}"] = f"=INDEX($F${r}:$K${r},3)"
    wb.defined_names["broken"] = openpyxl.workbook.defined_name.DefinedName("broken", attr_text="NoSuchSheet!$A$1")
    report = lint_workbook(wb)
    assert report.cycle and "XLOOKUP" in report.disallowed and "broken" in report.bad_names
    assert f"Waterfall!I{r}" in report.non_portable and "1,3" in report.non_portable[f"Waterfall!I{r}"]


def test_portable_index_forms():
    names = {"ROW_NAME": ("S", "$E$5:$J$5"), "COL_NAME": ("S", "$E$5:$E$9")}
    assert portability_problems("=INDEX($F$9:$AZ$9,1,G3)", names) == []
    assert portability_problems("=INDEX($F$9:$F$40,G3)", names) == []           # down a column: one index is fine
    assert portability_problems("=INDEX(COL_NAME,2)+INDEX(ROW_NAME,1,2)", names) == []
    assert len(portability_problems("=INDEX($F$9:$AZ$9,G3)", names)) == 1          # along a row
    assert len(portability_problems("=INDEX(ROW_NAME,2)", names)) == 1
    assert len(portability_problems('=IF(A1,"INDEX(A1:B1,2)",INDEX(A1:C3,2))', names)) == 1  # strings ignored
    assert len(portability_problems("=INDEX($E10:$E10,1,1)", names)) == 1           # one cell: Gnumeric gives #REF!


# --- the interface, engine by engine ------------------------------------------------------------

@pytest.mark.parametrize("engine", list(ENGINES))
def test_each_engine_recalculates_changed_inputs(small_workbook, tmp_path, engine):
    """set_inputs then evaluate: the dependents follow (and a wrong cached value is not trusted)."""
    engine_or_skip(engine)
    wb = openpyxl.load_workbook(small_workbook)
    ws = wb["Inputs"]
    rent_row = find_row(ws, "revenue.rent0")
    revenue_row = find_row(wb["Waterfall"], "revenue")
    with make_engine(engine).load(small_workbook) as eng:
        eng.evaluate()
        before = eng.value("Waterfall", f"F{revenue_row}")
        eng.set_inputs({("Inputs", f"E{rent_row}"): 4.0})  # the base scenario's column: twice the rent
        eng.evaluate()
        after = eng.value("Waterfall", f"F{revenue_row}")
        assert after == pytest.approx(2 * before, rel=1e-12)
        with pytest.raises(EngineFailed, match="Nowhere"):
            eng.set_inputs({("Nowhere", "A1"): 1.0})
            eng.evaluate()


@pytest.mark.parametrize("engine", list(ENGINES))
def test_missing_engine_is_one_line_exit_2(small_workbook, monkeypatch, engine):
    monkeypatch.setattr(ENGINES[engine], "available", classmethod(lambda cls: False))
    result = CliRunner().invoke(main, ["verify", "--engine", engine, str(small_workbook)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: --engine {engine}: ") and "is not installed" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_all_engines_skips_the_missing_one_in_one_line(small_workbook, monkeypatch):
    monkeypatch.setattr(ENGINES["gnumeric"], "available", classmethod(lambda cls: False))
    monkeypatch.setattr(ENGINES["libreoffice"], "available", classmethod(lambda cls: False))
    result = CliRunner().invoke(main, ["verify", "--engine", "all", str(small_workbook)])
    assert result.exit_code == 0, result.output
    assert "gnumeric: not installed, skipped" in result.output and "libreoffice: not installed, skipped" in result.output
    assert "OK [ironcalc]" in result.output and "OK [formulas]" in result.output


# --- external programs: a timeout on every call, nothing left running ---------------------------------

def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_engine_processes_are_ended_with_their_group(tmp_path):
    """A program that leaves a child behind (as soffice does): the child is ended when the call returns."""
    pid_file = tmp_path / "child.pid"
    done = process.run("test", [sys.executable, "-c", "import subprocess, sys; "
                                f"p = subprocess.Popen(['sleep', '60']); open({str(pid_file)!r}, 'w').write(str(p.pid))"],
                       timeout=30)
    assert done.returncode == 0
    child = int(pid_file.read_text())
    assert not _alive(child), "the child outlived the call"


def test_engine_calls_time_out_and_leave_nothing(tmp_path):
    pid_file = tmp_path / "child.pid"
    start = time.monotonic()
    with pytest.raises(EngineFailed, match="did not finish within 1 s"):
        process.run("test", ["sh", "-c", f"sleep 60 & echo $! > {pid_file}; wait"], timeout=1)
    assert time.monotonic() - start < 20
    assert not _alive(int(pid_file.read_text()))


@pytest.mark.slow
def test_libreoffice_leaves_no_process(small_workbook):
    engine_or_skip("libreoffice")
    before = _soffice_in_our_sessions()
    report = verify_workbook(small_workbook, engine="libreoffice")
    assert report.ok
    assert _soffice_in_our_sessions() == before


def _soffice_in_our_sessions() -> set[int]:
    """soffice processes whose parent chain leads to this test process."""
    me, found = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if b"soffice" not in f.read():
                    continue
            pid = int(entry)
            while pid > 1:
                if pid == me:
                    found.add(int(entry))
                    break
                with open(f"/proc/{pid}/stat") as f:
                    pid = int(f.read().split(")")[-1].split()[1])
        except (OSError, ValueError):
            continue
    return found


# --- the analyst round trip -------------------------------------------------------------------

def edit_like_an_analyst(src, dst, scenario: str) -> None:
    """Change one input per section in the active scenario's column and switch the selector."""
    wb = openpyxl.load_workbook(src)
    ws = wb["Inputs"]
    header = {c.value: c.column for c in ws[6]}
    col = header[scenario]
    edits = {"assets.gpu_unit_price": 26000, "revenue.rent0": 2.1, "shock.rent_drop": 0.4, "opex.power_price": 0.09,
             "fees.mgmt_fee_annual": 0.012, "structure.tranches.0.coupon": 0.065, "default.fire_sale_discount": 0.25,
             "node_sale.token_price0": 0.05, "byod.hire_price": 0.3}
    for path, value in edits.items():
        try:
            ws.cell(find_row(ws, path), col).value = value
        except StopIteration:
            continue  # the template has no such section
    ws["D4"] = scenario
    wb.save(dst)


@pytest.mark.slow
@pytest.mark.parametrize("engine", [pytest.param(e, marks=pytest.mark.xdist_group("roundtrip")) for e in ENGINES])
def test_round_trip_default_template(bundled_workbook, tmp_path_factory, engine):
    """An analyst edits inputs and switches the scenario in a copy saved by openpyxl: every engine follows."""
    engine_or_skip(engine)
    edited = tmp_path_factory.getbasetemp() / "edited-gpu-abs.xlsx"
    if not edited.exists():
        edit_like_an_analyst(bundled_workbook("gpu-abs"), edited, "bear")
    report = verify_workbook(edited, engine=engine)
    assert report.scenario == "bear"
    assert report.ok, f"{engine}: " + "\n".join(str(m) for m in report.mismatches[:10])
    tpl = read_inputs(open_workbook(edited), edited).template
    assert tpl.deal().revenue.rent0 == 2.1 and tpl.deal().structure.tranches[0].coupon == 0.065
    assert reference_for(tpl).values.scalars["irr_1"] != \
        reference_for(load_template("gpu-abs", scenario="bear")).values.scalars["irr_1"]


def test_a_workbook_saved_by_gnumeric_is_read(small_workbook, tmp_path):
    """Gnumeric saves notes with an empty author list (openpyxl cannot read it as is): verify reads
    the file all the same; IronCalc either recalculates it or says in one line that it cannot."""
    engine_or_skip("gnumeric")
    saved = tmp_path / "saved-by-gnumeric.xlsx"
    process.run("gnumeric", ["ssconvert", str(small_workbook), str(saved)], timeout=120)
    result = CliRunner().invoke(main, ["verify", str(saved), "--engine", "formulas"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["verify", str(saved)])
    assert result.exit_code == 0 or (result.exit_code == 2 and len(result.output.strip().splitlines()) == 1), result.output
