"""The package as a user installs it: a wheel, installed into a throwaway venv, used from a
directory that is not the repository. The bundled templates must come with it.

Building the wheel needs setuptools and wheel from the package index (pip's build isolation):
offline, skip these tests with ``-m "not packaging"``.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from modelgen.template import bundled_templates

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.packaging


def _run(args, cwd, env=None, timeout=600):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(dist)], cwd=dist)
    wheels = list(dist.glob("modelgen-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_carries_every_bundled_template_and_the_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in bundled_templates():
        assert f"modelgen/templates/{name}.yaml" in names
    assert "modelgen/templates/template.schema.json" in names


def test_wheel_installed_in_a_venv_works_from_any_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    # The venv sees the dependencies this environment already has (no download): a .pth file
    # appends their folders to its path, after its own site-packages, and the .pth files in them
    # (an editable install of the repository, say) are not run. modelgen itself comes from the
    # wheel only, and runs from a directory that is not the repository.
    venv_site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          cwd=tmp_path).strip())
    here = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
    (venv_site / "_modelgen_test_dependencies.pth").write_text("\n".join(here) + "\n")
    _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--force-reinstall", str(wheel)],
         cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    where = _run([str(python), "-c", "import modelgen; print(modelgen.__file__)"], cwd=work, env=env)
    assert Path(where.strip()).resolve().is_relative_to(venv.resolve()), where
    modelgen = str(venv / "bin" / "modelgen")
    listing = _run([modelgen, "templates"], cwd=work, env=env)
    assert set(bundled_templates()) <= {line.split()[0] for line in listing.splitlines() if line.strip()}
    built = _run([modelgen, "build", "seed-node-sale"], cwd=work, env=env)
    assert "wrote outputs/seed-node-sale.xlsx" in built
    assert (work / "outputs" / "seed-node-sale.xlsx").stat().st_size > 10_000
    library = ("from modelgen.template import load_template; from modelgen.reference import run; "
               "print(run(load_template('gpu-abs', scenario='crash').deal()).frames['periods'].shape[0])")
    assert int(_run([str(python), "-c", library], cwd=work, env=env).strip()) > 0
