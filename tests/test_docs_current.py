"""The user documentation: generated reference docs are current, the README's set-up is complete
and consistent with CI, its snippet runs, its links resolve, and nothing points outside the project."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
USER_DOCS = [ROOT / "README.md", ROOT / "docs" / "model.md", ROOT / "docs" / "template-format.md",
             ROOT / "docs" / "template-keys.md", ROOT / "docs" / "modelling-choices.md", ROOT / "docs" / "rows.md",
             ROOT / "templates" / "template.schema.json"]
OUTSIDE = ("MODEL.md", "Appendix A", "Appendix B", "Appendix-B")  # the developers' spec, not in the repository


def _gen_docs():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_and_schema_are_current():
    gen = _gen_docs()
    stale = [str(p.relative_to(ROOT)) for p in gen.stale()]
    assert not stale, f"out of date: {stale}; run python tools/gen_docs.py"
    assert set(gen.OUTPUTS) >= {ROOT / "docs" / "rows.md", ROOT / "docs" / "template-keys.md",
                                ROOT / "templates" / "template.schema.json"}


def test_template_keys_cover_every_glossary_input():
    from modelgen.glossary import INPUTS

    keys = (ROOT / "docs" / "template-keys.md").read_text()
    missing = [k for k in INPUTS if f"`{k}`" not in keys and not k.endswith(".*")]
    assert not missing


@pytest.mark.parametrize("path", USER_DOCS, ids=[p.name for p in USER_DOCS])
def test_user_docs_point_nowhere_outside_the_project(path):
    text = path.read_text()
    assert not [word for word in OUTSIDE if word in text]
    assert "shared/" not in text


def test_bundled_templates_point_nowhere_outside_the_project():
    from modelgen.template import bundled_templates

    for name, path in bundled_templates().items():
        text = path.read_text()
        assert not [word for word in OUTSIDE if word in text], name


@pytest.mark.parametrize("name", ["gpu-abs", "ionet-byod"])
def test_workbook_texts_point_nowhere_outside_the_project(bundled_workbook, name):
    """Every text a built workbook holds (cells, notes, validation messages, chart titles, document
    properties): every XML part of the file."""
    import zipfile

    with zipfile.ZipFile(bundled_workbook(name)) as zf:
        parts = [n for n in zf.namelist() if n.endswith((".xml", ".vml", ".rels"))]
        assert any("comments" in n for n in parts) and "xl/sharedStrings.xml" in parts
        found = {n: [w for w in OUTSIDE if w in zf.read(n).decode("utf-8", "replace")] for n in parts}
    assert not {n: w for n, w in found.items() if w}


def test_code_points_nowhere_outside_the_project():
    """Sheet purposes, notes, docstrings and help all come from the package's own text."""
    for path in sorted((ROOT / "modelgen").rglob("*.py")) + [ROOT / "tools" / "gen_docs.py"]:
        text = path.read_text()
        assert not [word for word in OUTSIDE if word in text], path


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, re.DOTALL)


def test_readme_setup_is_two_commands_for_a_fresh_debian_machine():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    install, tests = [b.strip() for b in _bash_blocks(quick)[:2]]
    assert "python3-venv" in install and "python3 -m venv .venv" in install and ". .venv/bin/activate" in install
    assert "pip install ." in install and install.endswith("modelgen build")
    for package in ("libreoffice-calc-nogui", "poppler-utils"):
        assert package in tests
    assert ". .venv/bin/activate" in tests and 'pip install -e ".[test]"' in tests
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert tests.endswith(ci[-1].strip()), "the README runs the tests as CI does"
    minutes = re.search(r"takes\s+about (\d+) minutes", quick)
    assert minutes and 1 <= int(minutes.group(1)) <= 30
    assert "_MODELGEN_COMPLETE=bash_source modelgen" in quick


def test_shell_completion_works_as_documented():
    result = CliRunner().invoke(main, [], prog_name="modelgen", env={"_MODELGEN_COMPLETE": "bash_source"})
    assert result.exit_code == 0 and "_modelgen_completion" in result.output


def test_readme_library_snippet_runs():
    snippet = re.search(r"## As a library\n\n```python\n(.*?)```", README, re.DOTALL).group(1)
    scope: dict = {}
    exec(compile(snippet, "README", "exec"), scope)
    assert len(scope["frames"]["periods"]) > 12 and 0 <= scope["result"].values.scalars["loss_pct_1"] <= 1


def test_readme_and_docs_links_resolve():
    for path in USER_DOCS:
        for target in re.findall(r"\]\(([^)#]+)\)", path.read_text()):
            if "://" in target:
                continue
            assert (path.parent / target).exists(), (path.name, target)


def test_readme_lists_every_command():
    for name in main.commands:
        assert f"modelgen {name}" in README, name
