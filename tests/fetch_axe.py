"""Fetch axe-core, the accessibility engine tests/test_browser.py runs in Chromium, from the npm registry.

Downloads the pinned version's tarball (no node or npm needed), checks it against the registry's ``dist.integrity``
and writes ``axe.min.js`` and its licence (MPL-2.0) to ``.cache/axe-core/VERSION/`` (git-ignored). Does nothing when
they are there already. Run by the README's test command: ``.venv/bin/python tests/fetch_axe.py``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
#: ``dist.integrity`` of https://registry.npmjs.org/axe-core/4.14.1
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
#: SHA-256 of the tarball's package/axe.min.js: what is already there is checked against it
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
FOLDER = Path(__file__).resolve().parents[1] / ".cache" / "axe-core" / VERSION
AXE = FOLDER / "axe.min.js"
COMMAND = ".venv/bin/python tests/fetch_axe.py"


def present() -> bool:
    """Whether the pinned axe.min.js and its licence are in place."""
    if not (AXE.is_file() and (FOLDER / "LICENSE").is_file()):
        return False
    return hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256


def fetch() -> None:
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        tarball = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode("ascii")
    if digest != INTEGRITY:
        raise ValueError(f"the tarball does not match its pinned integrity {INTEGRITY} (got {digest})")
    FOLDER.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for name in ("LICENSE", "axe.min.js"):
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise ValueError(f"the tarball holds no package/{name}")
            part = FOLDER / f"{name}.part"
            part.write_bytes(member.read())
            part.replace(FOLDER / name)
    if not present():
        raise ValueError(f"its package/axe.min.js does not have the pinned SHA-256 {AXE_SHA256}")


def main() -> None:
    if present():
        print(f"axe-core {VERSION}: already in {FOLDER}")
        return
    try:
        fetch()
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        sys.exit(f"fetch_axe: cannot fetch axe-core {VERSION} from {TARBALL}: {error}")
    print(f"axe-core {VERSION}: fetched into {FOLDER} (integrity checked; licence MPL-2.0, see LICENSE there)")


if __name__ == "__main__":
    main()
