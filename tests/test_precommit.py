"""The offered pre-commit hooks (.pre-commit-hooks.yaml), run by pre-commit itself in a temporary repository.

The hooks are taken as written, with one change: ``language: system`` and the entry run by this
interpreter, because ``language: python`` would install wijkld from the network into a fresh
environment. What pre-commit decides (which hooks run, on which staged files) is its own.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TEAM = "doc/adoptieteam/hengelo-berflo-es.ttl"
ENGLISH_LABEL = '"Adoption team Hengelo Berflo Es"@en'


def _config() -> str:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    local = []
    for hook in hooks:
        entry = hook["entry"].removeprefix("wijkld")
        local.append(hook | {"language": "system", "entry": f"{sys.executable} -m wijkld{entry}"})
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]}, sort_keys=False)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, release_dir: Path, data_dir: Path) -> Path:
    """A publisher's repository: records, the release built from them, and one resource file of it."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(data_dir, repo / "data")
    shutil.copytree(release_dir, repo / "dist")
    shutil.copy(release_dir / TEAM, repo / "team.ttl")
    (repo / ".pre-commit-config.yaml").write_text(_config(), encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "start")
    return repo


def _run(repo: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _edit(repo: Path, name: str, old: str, new: str) -> None:
    text = (repo / name).read_text(encoding="utf-8")
    assert text.count(old) == 1
    (repo / name).write_text(text.replace(old, new), encoding="utf-8")
    _git(repo, "add", name)


def test_a_label_edit_passes(repo: Path) -> None:
    _edit(repo, "team.ttl", ENGLISH_LABEL, '"Adoption team for Hengelo Berflo Es"@en')
    result = _run(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wijkld validate (SHACL)" in result.stdout and "Passed" in result.stdout


def test_a_duplicate_label_fails_at_its_line(repo: Path) -> None:
    _edit(repo, "team.ttl", ENGLISH_LABEL, f'{ENGLISH_LABEL} , "Team Berflo Es"@nl')
    result = _run(repo)
    assert result.returncode == 1
    assert "wsh:Labelled-label" in result.stdout and "source:   team.ttl:9" in result.stdout


def test_a_broken_csv_cell_fails_with_file_line_and_field(repo: Path) -> None:
    path = repo / "data" / "persons.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][rows[0].index("name")] = ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    _git(repo, "add", "data/persons.csv")
    result = _run(repo)
    assert result.returncode == 1
    assert "wijkld records" in result.stdout
    assert "data/persons.csv:3: field 'name': required value is empty; expected text" in result.stdout
