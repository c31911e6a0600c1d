"""The code passes ruff, with the rules of pyproject.toml (`make lint`, which `make check` and
`make test`, hence CI, run first)."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import ROOT


def test_the_code_passes_ruff():
    ruff = Path(sys.executable).with_name("ruff")
    assert ruff.is_file(), "ruff is missing: make setup installs requirements.txt"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    assert config["line-length"] == 120 and {"E4", "E7", "E9", "F"} <= set(config["lint"]["select"])
    result = subprocess.run([str(ruff), "check", "--no-cache", str(ROOT)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_make_check_and_make_test_run_ruff():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\tlint:" not in makefile and "$(BIN)/ruff check ." in makefile
    for target in ("check", "test"):
        line = next(line for line in makefile.splitlines() if line.startswith(f"{target}:"))
        assert "lint" in line.split(), f"make {target} runs make lint"
