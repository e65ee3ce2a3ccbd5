"""The lock files agree with the ranges people edit (requirements*.txt), pin every package with hashes, agree
with each other, and are what this environment was installed from."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
#: A locked package: "name==version" (with extras, and a marker after ";"), then its hashes.
_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)\s*(?:;(?P<marker>[^\\]*))?"
)


def ranges(name: str) -> list[Requirement]:
    """The requirements of a requirements file (its own lines, not the files it includes)."""
    lines = (line.split("#", 1)[0].strip() for line in (ROOT / name).read_text(encoding="utf-8").splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def pins(name: str) -> dict[str, list[tuple[str, Marker | None, int]]]:
    """Each locked package: (version, marker, number of hashes) per line that pins it."""
    found: dict[str, list[tuple[str, Marker | None, int]]] = {}
    current: list[tuple[str, Marker | None, int]] | None = None
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            marker = Marker(match["marker"].strip()) if match["marker"] and match["marker"].strip() else None
            current = found.setdefault(canonicalize_name(match["name"]), [])
            current.append((match["version"], marker, 0))
        elif current and line.strip().startswith("--hash=sha256:"):
            version, marker, hashes = current[-1]
            current[-1] = (version, marker, hashes + 1)
    return found


def here(locked: list[tuple[str, Marker | None, int]]) -> str | None:
    """The version locked for this platform and Python (None when no line applies here)."""
    return next((version for version, marker, _ in locked if marker is None or marker.evaluate()), None)


LOCKS = [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]


@pytest.mark.parametrize(("ranges_file", "lock_file"), LOCKS)
def test_the_lock_pins_every_requirement_in_its_range(ranges_file: str, lock_file: str) -> None:
    locked = pins(lock_file)
    stale = []
    for requirement in ranges(ranges_file):
        lines = locked.get(canonicalize_name(requirement.name), [])
        if not lines or any(not requirement.specifier.contains(version, prereleases=True) for version, _, _ in lines):
            stale.append(f"{requirement} (locked: {', '.join(v for v, _, _ in lines) or 'nothing'})")
    assert not stale, f"{lock_file} disagrees with {ranges_file}; run `make lock`: {stale}"


def test_every_locked_package_has_hashes_and_the_two_locks_agree() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert all(hashes for lines in (*runtime.values(), *dev.values()) for _, _, hashes in lines)
    differ = {
        name for name, lines in runtime.items() if {v for v, _, _ in lines} != {v for v, _, _ in dev.get(name, [])}
    }
    assert not differ, f"the runtime and dev locks pin these differently; run `make lock`: {sorted(differ)}"


def test_this_environment_was_installed_from_the_lock() -> None:
    wrong = []
    for name, lines in pins("requirements-dev.lock").items():
        version = here(lines)
        if version is None:
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} missing")
            continue
        if installed != version:
            wrong.append(f"{name} {installed} (locked {version})")
    assert not wrong, f"installed packages differ from requirements-dev.lock; run `make dev`: {wrong}"
