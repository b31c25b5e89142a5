"""The analysis commands on the command line: output, and bad input as one line with exit code 2."""
from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from modelgen.cli import main


def free_port() -> int:
    """A local port with nothing listening on it (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args):
    return CliRunner().invoke(main, args)


def test_breakeven_table_prints_the_tolerance():
    res = run(["breakeven", "gpu-abs", "--stress", "revenue.rent_decline"])
    assert res.exit_code == 0, res.output
    assert "tolerance: ±1e-09 in revenue.rent_decline" in res.output
    assert "loses at revenue.rent_decline >= 0." in res.output


def test_breakeven_json_has_the_commands():
    res = run(["breakeven", "gpu-abs", "--stress", "default.forced_month", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    (be,) = data["breakevens"]
    assert be["stress"] == "default.forced_month" and be["integer"] and be["tolerance"] == 1
    classes = [c for c in be["classes"] if c["status"] == "breakeven"]
    assert classes
    for c in classes:
        (x,) = c["crossings"]
        assert isinstance(c["breakeven"], int) and x["breakeven"] == c["breakeven"]
        assert x["command_loss"] == f"modelgen build gpu-abs --set default.forced_month={x['breakeven']}"
        assert x["command_no_loss"] == f"modelgen build gpu-abs --set default.forced_month={x['breakeven'] + 1}"


BAD = [
    (["breakeven", "--stress", "structure.amortization"], "--stress structure.amortization: not a numeric input"),
    (["breakeven", "--stress", "revenue.rent_decline", "--range", "0.5", "0.2"], "LO (0.5) must be below HI (0.2)"),
    (["breakeven", "--stress", "revenue.rent_decline", "--range", "0.1", "abc"], "--range HI: 'abc' is not a number"),
    (["breakeven", "--stress", "revenue.rent_decline=0.3:0.3"], "must be below HI"),
    (["breakeven"], "--stress: name the input to stress"),
    (["sensitivity", "--vary", "revenue.rent_decline=0:0.4:1", "--metric", "tranches.0.loss"], "N must be at least 2 (got 1)"),
    (["sensitivity", "--vary", "revenue.rent_decline=0.4:0:3", "--metric", "tranches.0.loss"], "must be below HI"),
    (["sensitivity", "--vary", "structure.tranches.0.name=0:1:3", "--metric", "tranches.0.loss"], "not a numeric input"),
    (["sensitivity", "--vary", "revenue.rent_decline=0:0.4:3", "--metric", "tranches.0.lost"], "no field 'lost'"),
    (["sensitivity", "--vary", "revenue.rent_decline=0:0.4:3", "--metric", "tranches.9.loss"], "'9' is not an item of tranches"),
    (["montecarlo", "--paths", "1"], "--paths: at least 2 paths are needed (got 1)"),
    (["montecarlo", "--paths", "many"], "--paths: 'many' is not a whole number"),
    (["montecarlo", "--workers", "0"], "--workers: must be at least 1"),
    (["montecarlo", "--build-path", "p150"], "a quantile must lie between 0 and 1"),
    (["breakeven", "no-such-template", "--stress", "revenue.rent_decline"], "no bundled template or file named"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a[:3]) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_and_no_file(tmp_path, args, message):
    outputs = [tmp_path / "out.csv", tmp_path / "out.xlsx"]
    res = run(args + ["--csv", str(outputs[0]), "--xlsx", str(outputs[1])])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], res.output
    assert "Traceback" not in res.output
    assert not any(p.exists() for p in outputs)
    assert list(tmp_path.iterdir()) == []


def test_bad_output_suffix_is_refused_before_the_run(tmp_path):
    res = run(["sensitivity", "--vary", "revenue.rent_decline=0:0.4:3", "--metric", "tranches.0.loss",
               "--xlsx", str(tmp_path / "a.txt")])
    assert res.exit_code == 2 and "--xlsx" in res.output and "must end in .xlsx" in res.output
    assert list(tmp_path.iterdir()) == []


def test_unreachable_scheduler_is_one_line(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    res = run(["sensitivity", "--vary", "revenue.rent_decline=0:0.4:3", "--metric", "tranches.0.loss",
               "--scheduler", address, "--csv", str(tmp_path / "x.csv")])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and f"--scheduler {address}: no dask scheduler answered within 5 s" in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_commands_have_help_with_an_example():
    for name in ("breakeven", "sensitivity", "montecarlo"):
        res = run([name, "--help"])
        assert res.exit_code == 0 and "Example:" in res.output and f"modelgen {name}" in res.output
