"""The built wheel carries everything it needs: install it in a fresh venv and build elsewhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_builds_the_pilot_outside_the_repository(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("wijkld-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)

    data = tmp_path / "records"
    shutil.copytree(REPO / "data", data)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(env_dir / "bin" / "wijkld"), "build", "--data", str(data), "--out", str(tmp_path / "out")],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "files written" in result.stdout
    published = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"wijkld.ttl", "wijkld.nt.gz", "wijkld.nq.gz", "vocabulary.ttl", "shapes.ttl"} <= published
    # the installed package must not have reached back into the source tree
    shown = subprocess.run(
        [str(python), "-c", "import wijkld.resources as r; print(r.resource_dir('shapes'))"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(env_dir) in shown


def test_one_version_for_the_package_the_dataset_the_changelog_and_the_docs() -> None:
    """wijkld X builds release X of the data: the changelog has a section for it, dated as the release is
    issued, and the install and pre-commit examples pin that version's tag."""
    import csv
    import re
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    with open(REPO / "data" / "release.csv", newline="", encoding="utf-8") as handle:
        (release,) = list(csv.DictReader(handle))
    assert release["version"] == version, "data/release.csv and pyproject.toml name the same version"
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## {version} - {release['issued']}\n" in changelog, "a changelog section dated as issued"
    for doc in ("docs/ci.md", "docs/validate.md"):
        tags = set(re.findall(r"(?:@|rev: )(v\d+\.\d+\.\d+)", (REPO / doc).read_text(encoding="utf-8")))
        assert tags == {f"v{version}"}, (doc, tags)
