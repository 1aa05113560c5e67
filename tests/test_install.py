"""The install is the one the project's files describe: every installed distribution is pinned.

``constraints.txt`` is the full pinned set. If a package were installed but not pinned there, a
fresh install next month could bring a different version of it; and a missing ``torch`` line in
particular lets ``pip install -c constraints.txt <anything that depends on torch>`` replace the
CPU build with a CUDA build and about 18 nvidia packages (seen with torchvision).
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def read_pins(path: Path) -> dict[str, str]:
    """``name -> version`` for every ``name==version`` line of a requirements-style file."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        m = PIN.match(line.strip())
        if m:
            pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def installed() -> dict[str, str]:
    """``name -> version`` of every distribution in this environment, except the project itself."""
    found = {}
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name != "embedcourse":
            found[name] = dist.version
    return found


def same_release(installed_version: str, pinned: str) -> bool:
    """``==2.13.0`` admits ``2.13.0+cpu``: a pin without a local label ignores the installed one's."""
    got, want = Version(installed_version), Version(pinned)
    if want.local is None:
        return got.public == want.public
    return got == want


def test_every_installed_distribution_is_pinned_in_constraints():
    pins = read_pins(ROOT / "constraints.txt")
    have = installed()
    unpinned = sorted(f"{n}=={v}" for n, v in have.items() if n not in pins)
    assert not unpinned, (
        f"installed but not pinned in constraints.txt: {unpinned}. Add each as name==version "
        "(pip freeze prints the line)."
    )
    wrong = sorted(f"{n}: installed {v}, pinned {pins[n]}" for n, v in have.items() if not same_release(v, pins[n]))
    assert not wrong, f"installed versions differ from constraints.txt: {wrong}. Run `make install` again."


def test_torch_is_pinned_to_the_cpu_build():
    pins = read_pins(ROOT / "constraints.txt")
    assert pins.get("torch") == "2.13.0", "constraints.txt must pin torch==2.13.0 (the CPU build)"
    torch_version = metadata.version("torch")
    assert Version(torch_version).public == "2.13.0", torch_version
    nvidia = sorted(n for n in installed() if n.startswith("nvidia-"))
    assert not nvidia, (
        f"CUDA libraries installed beside the CPU torch: {nvidia}. pip took torch from PyPI (the CUDA "
        "build): reinstall with `make install TORCH_INDEX=https://download.pytorch.org/whl/cpu`."
    )


@pytest.mark.parametrize("requirements", ["requirements.txt", "requirements-data.txt"])
def test_top_level_pins_agree_with_constraints(requirements):
    pins = read_pins(ROOT / "constraints.txt")
    top = read_pins(ROOT / requirements)
    assert top, requirements
    disagree = sorted(f"{n}: {requirements} {v}, constraints.txt {pins.get(n)}" for n, v in top.items() if pins.get(n) != v)
    assert not disagree, disagree
