"""The CI examples of docs/ci.md, run command for command on a fixture repository.

The commands are read from the document's YAML, so the test runs what a reader copies. Only the network
is stood in for: ``pip`` does nothing (wijkld is installed here), ``curl`` copies the release built from
data/ to where it was asked to write it.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TEAM = "doc/adoptieteam/hengelo-berflo-es.ttl"
ENGLISH_LABEL = '"Adoption team Hengelo Berflo Es"@en'


def _blocks() -> list[dict]:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)]


def github_commands() -> list[str]:
    (workflow,) = [b for b in _blocks() if "jobs" in b]
    steps = next(iter(workflow["jobs"].values()))["steps"]
    return [step["run"] for step in steps if "run" in step]


def gitlab_commands() -> list[str]:
    (pipeline,) = [b for b in _blocks() if "jobs" not in b]
    return list(next(iter(pipeline.values()))["script"])


def _script(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def repo(tmp_path: Path, release_dir: Path) -> Path:
    """A user's repository with one resource file of the release, committed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(release_dir / TEAM, repo / "team.ttl")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        _git(repo, *args)
    fake = tmp_path / "bin"
    fake.mkdir()
    _script(fake, "pip", "exit 0\n")
    # curl -fsSL -o FILE URL: the release built from data/ stands in for the published one
    _script(fake, "curl", f'while [ "$1" != "-o" ]; do shift; done\ncp "{release_dir / "wijkld.nq.gz"}" "$2"\n')
    return repo


def _git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True)


def _commit_edit(repo: Path, new: str, old: str = ENGLISH_LABEL) -> None:
    text = (repo / "team.ttl").read_text(encoding="utf-8")
    assert text.count(old) == 1
    (repo / "team.ttl").write_text(text.replace(old, new), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "edit")


def _run(repo: Path, commands: list[str]) -> subprocess.CompletedProcess[str]:
    """Each command as the CI runner runs a step: bash, stopping at the first failure."""
    path = os.pathsep.join([str(repo.parent / "bin"), str(Path(sys.executable).parent), os.environ["PATH"]])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WIJKLD_"))} | {"PATH": path}
    result = subprocess.CompletedProcess(args=[], returncode=0, stdout="", stderr="")
    for command in commands:
        step = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", command], cwd=repo, env=env, capture_output=True, text=True, timeout=300
        )
        result = subprocess.CompletedProcess(
            command, step.returncode, result.stdout + step.stdout, result.stderr + step.stderr
        )
        if step.returncode:
            break
    return result


def test_both_examples_install_fetch_and_validate() -> None:
    for commands in (github_commands(), gitlab_commands()):
        assert commands[0].startswith("pip install") and commands[1].startswith("curl ")
        assert "--against release.nq.gz" in commands[-1]


def test_github_example_passes_a_correct_edit_and_annotates_a_broken_one(repo: Path) -> None:
    _commit_edit(repo, '"Adoption team for Hengelo Berflo Es"@en')
    passed = _run(repo, github_commands())
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Conforms in the context of the release release.nq.gz" in passed.stdout
    edited = '"Adoption team for Hengelo Berflo Es"@en'
    _commit_edit(repo, f'{edited} , "Team Berflo Es"@nl', old=edited)
    failed = _run(repo, github_commands())
    assert failed.returncode != 0
    (annotation,) = [line for line in failed.stdout.splitlines() if line.startswith("::error")]
    assert annotation.startswith("::error file=team.ttl,line=9,title=wsh%3ALabelled-label")


def test_gitlab_example_writes_a_junit_report_with_file_and_line(repo: Path) -> None:
    passed = _run(repo, gitlab_commands())
    assert passed.returncode == 0, passed.stdout + passed.stderr
    report = ET.parse(repo / "shacl-junit.xml").getroot()
    assert report.get("failures") == "0" and int(report.get("tests") or 0) > 0
    _commit_edit(repo, '"Adoption team Hengelo Berflo Es"@en , "Team Berflo Es"@nl')
    failed = _run(repo, gitlab_commands())
    assert failed.returncode != 0
    report = ET.parse(repo / "shacl-junit.xml").getroot()
    (case,) = [c for c in report.iter("testcase") if c.find("failure") is not None]
    assert (case.get("file"), case.get("line")) == ("team.ttl", "9")
