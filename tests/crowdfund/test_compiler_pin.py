"""One compiler pin: brownie-config.yaml's `compiler:` section names the solc version and
its settings, and everything that compiles or ships compiled code agrees with it."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from support.chain import ROOT

from crowdfund import artifacts
from crowdfund.compiler import pin
from crowdfund.project import BUILD_DIR

# Files allowed to spell the version out: the pin itself, and npm's manifest and lock
# (npm cannot read YAML; the first test checks that they agree). The package's artifacts
# record the compiler that built them and are checked against the pin below.
NAMES_THE_VERSION = {"brownie-config.yaml", "package.json", "package-lock.json"}
CODE = re.compile(r"(\.py|\.sh|\.js|\.ya?ml|\.toml|\.json|Makefile)$")


def tracked_code_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return [
        name
        for name in listed
        if CODE.search(name) and not name.startswith("crowdfund/artifacts/") and (ROOT / name).is_file()
    ]


def test_npm_installs_the_pinned_solc_js() -> None:
    manifest = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert manifest["dependencies"]["solc"] == pin().version, "package.json's solc disagrees with the pin"
    assert lock["packages"]["node_modules/solc"]["version"] == pin().version, "run `npm install`"


def test_the_makefile_reads_the_pin() -> None:
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "pinned: ; @echo $(SOLC_VERSION)", "pinned"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout.strip() == pin().version


@pytest.mark.parametrize("name", artifacts.SHIPPED)
def test_shipped_artifacts_were_built_with_the_pin(name: str) -> None:
    compiler = artifacts.load(name)["compiler"]
    assert compiler["version"].startswith(f"{pin().version}+commit.")
    assert compiler["optimizer"] == pin().optimizer
    assert compiler["evm_version"] == pin().evm_version
    assert compiler["via_ir"] == pin().via_ir


@pytest.mark.parametrize("name", artifacts.SHIPPED)
def test_shipped_artifacts_match_the_build(name: str) -> None:
    build_file = BUILD_DIR / "contracts" / f"{name}.json"
    assert build_file.exists(), "run `make compile`"
    assert artifacts.load(name) == artifacts.from_build(build_file, pin().via_ir), (
        "the package's artifact differs from brownie's build: run `make compile` and commit "
        "crowdfund/artifacts/"
    )


def test_no_other_file_names_a_compiler_version_or_optimizer_runs() -> None:
    version = re.compile(re.escape(pin().version) + r"(?![\d])")
    runs = re.compile(r"""["']?runs["']?\s*[:=]\s*\d""")
    offenders = []
    for name in tracked_code_files():
        if name in NAMES_THE_VERSION:
            continue
        text = (ROOT / name).read_text(errors="replace")
        if version.search(text) or runs.search(text):
            offenders.append(name)
    assert offenders == [], "these files should read the pin (crowdfund.compiler.pin) instead"
