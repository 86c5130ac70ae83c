"""The vendored front-end assets match VENDOR.md.

VENDOR.md has a "Files" table with one row per vendored file: a repo-relative `file` and its
`sha256` (and `bytes`). This test needs no Flask app and no network.
"""

import hashlib
import re
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENDOR_MD = ROOT / "VENDOR.md"
# Every directory under these folders is a vendored NAME@VERSION directory.
VENDOR_PARENTS = ("trajectory/static/vendor", "tests/assets")
LICENCE_NAMES = {"LICENSE", "LICENSE.md", "LICENSE.txt"}


def _cells(line: str) -> list[str]:
    return [c.strip().strip("`").strip() for c in line.strip().strip("|").split("|")]


def parse_files_table(text: str) -> list[dict[str, str]]:
    """Return the rows of the first Markdown table whose header has `file` and `sha256`."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("|"):
            continue
        header = [c.lower() for c in _cells(line)]
        if "file" not in header or "sha256" not in header:
            continue
        rows = []
        for body in lines[i + 2 :]:  # skip the |---| separator
            if not body.lstrip().startswith("|"):
                break
            rows.append(dict(zip(header, _cells(body), strict=True)))
        return rows
    raise AssertionError("VENDOR.md has no table with a 'file' and a 'sha256' column")


ROWS = parse_files_table(VENDOR_MD.read_text(encoding="utf-8"))


def vendored_root(rel: str) -> PurePosixPath:
    """The NAME@VERSION directory that holds a listed file."""
    path = PurePosixPath(rel)
    for parent in reversed(path.parents):
        if "@" in parent.name:
            return parent
    raise AssertionError(f"{rel} is not inside a NAME@VERSION directory")


LISTED = {row["file"] for row in ROWS}
ROOTS = sorted({vendored_root(f) for f in LISTED})


def test_table_is_well_formed():
    assert ROWS, "the Files table in VENDOR.md is empty"
    assert len(LISTED) == len(ROWS), "a file is listed twice in VENDOR.md"
    for row in ROWS:
        assert re.fullmatch(r"[0-9a-f]{64}", row["sha256"]), row
        rel = PurePosixPath(row["file"])
        assert not rel.is_absolute() and ".." not in rel.parts, row


@pytest.mark.parametrize("row", ROWS, ids=[row["file"] for row in ROWS])
def test_file_matches_sha256(row):
    path = ROOT / row["file"]
    assert path.is_file(), f"{row['file']} is listed in VENDOR.md but missing"
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == row["sha256"], f"{row['file']} changed"
    if row.get("bytes"):
        assert len(data) == int(row["bytes"])


@pytest.mark.parametrize("root", ROOTS, ids=str)
def test_vendored_directory_has_licence_and_no_unlisted_files(root):
    directory = ROOT / root
    assert any((directory / name).is_file() for name in LICENCE_NAMES), f"no LICENSE in {root}"
    on_disk = {p.relative_to(ROOT).as_posix() for p in directory.rglob("*") if p.is_file()}
    assert on_disk - LISTED == set(), f"files in {root} missing from VENDOR.md"


def test_every_vendor_directory_is_listed():
    on_disk = {
        PurePosixPath(parent, d.name)
        for parent in VENDOR_PARENTS
        if (ROOT / parent).is_dir()
        for d in (ROOT / parent).iterdir()
        if d.is_dir() and "@" in d.name
    }
    assert on_disk - set(ROOTS) == set(), "vendored directories missing from VENDOR.md"


URL_RE = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.DOTALL)


@pytest.mark.parametrize("rel", sorted(f for f in LISTED if f.endswith(".css")))
def test_css_fetches_nothing_from_the_network(rel):
    path = ROOT / rel
    css = path.read_text(encoding="utf-8")
    assert "@import" not in css, f"{rel} imports another stylesheet"
    for _, url in URL_RE.findall(css):
        if url.startswith("data:"):
            continue
        assert not re.match(r"^([a-z][a-z0-9+.-]*:|//)", url, re.IGNORECASE), f"{rel}: {url}"
        assert (path.parent / url).resolve().is_file(), f"{rel}: {url} does not exist"
