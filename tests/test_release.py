"""The committed dist/ is the release of the committed data: `wijkld build --check` passes."""

from __future__ import annotations

from pathlib import Path

from wijkld import build
from wijkld.model.iris import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[1]


def test_committed_dist_is_up_to_date() -> None:
    stale = build.check(REPO / "data", REPO / "dist", DEFAULT_BASE)
    assert stale == [], "dist/ is stale; run `wijkld build` and commit dist/:\n" + "\n".join(stale)
