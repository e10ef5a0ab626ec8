"""`pip install .` (not editable) into a fresh virtual environment outside the checkout gives
a working `crowdfund` command and gateway: it deploys the escrow to anvil, seeds the demo
with its documents and images, and serves /campaigns (the demo's documents verified), their
images, the backer page and the API docs, all from the package's own data.

The tests run with no network, so the package's dependencies come from the wheelhouse
that `make setup` fills (.toolchain/wheelhouse); the package itself is the wheel built here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.chain import ROOT, anvil, free_port
from support.gateway import eventually
from web3 import Web3

WHEELHOUSE = ROOT / ".toolchain" / "wheelhouse"
# What building a wheel needs of the checkout: the sources and their data, not the
# environments, the chain or the tests.
SKIPPED = shutil.ignore_patterns(
    ".git", ".venv*", "node_modules", ".toolchain", ".chain", "build", "reports", "tests", "deployments",
    "__pycache__", "*.egg-info", ".hypothesis", ".schemathesis", "docs",
)  # fmt: skip


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtual environment, outside the checkout, with the wheel installed."""
    if not WHEELHOUSE.is_dir():
        pytest.fail(f"{WHEELHOUSE} is missing: `make setup` fills it with the package's dependencies")
    scratch = tmp_path_factory.mktemp("wheel")
    assert ROOT not in scratch.parents
    source = scratch / "source"
    shutil.copytree(ROOT, source, ignore=SKIPPED)
    dist = scratch / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, source,
        cwd=scratch)  # fmt: skip
    (wheel,) = dist.glob("crowdfund-*.whl")
    venv = scratch / "venv"
    # The base interpreter, not this environment's: nothing of the checkout's venv is shared.
    run(getattr(sys, "_base_executable", sys.executable), "-m", "venv", venv, cwd=scratch)
    run(venv / "bin" / "pip", "install", "-q", "--no-index", "--find-links", WHEELHOUSE, f"{wheel}[api]",
        cwd=scratch)  # fmt: skip
    yield venv


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a user who has only the installed package: no checkout on any path."""
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TZ", "SYSTEMROOT")}
    return {**keep, "HOME": str(home), "PATH": "/usr/bin:/bin", **extra}


def test_the_installed_package_deploys_seeds_and_serves_without_the_checkout(installed: Path) -> None:
    home = installed.parent / "home"
    home.mkdir()
    bin_ = installed / "bin"
    where = run(bin_ / "python", "-c", "import crowdfund, crowdfund_api; print(crowdfund.__file__, "
                "crowdfund_api.__file__)", cwd=home, env=clean_env(home))  # fmt: skip
    assert str(ROOT) not in where and str(installed) in where
    assert not list(installed.glob("lib/python3*/site-packages/api"))  # no top-level `api` package
    # The metadata schema is package data: read from the installed package, not from docs/.
    read = (
        'from crowdfund.metadata import campaign_metadata as m; print(m(b\'{"title": "installed"}\').title)'
    )
    checked = run(bin_ / "python", "-c", read, cwd=home, env=clean_env(home))
    assert checked.strip() == "installed"

    with anvil() as w3:
        url: str = w3.provider.endpoint_uri  # type: ignore[attr-defined]
        env = clean_env(home)
        deployed = run(bin_ / "crowdfund", "deploy", "--rpc-url", url, cwd=home, env=env)
        assert "escrow deployed at" in deployed
        # Without a checkout, the registry is the user's own.
        assert (home / ".crowdfund" / "deployments" / "31337.json").is_file()
        seeded = run(bin_ / "crowdfund", "demo", "--rpc-url", url, cwd=home, env=env)
        assert "demo token DMT" in seeded
        created = run(bin_ / "crowdfund", "create", "--goal", "2ether", "--deadline", "30d", "--metadata",
                      "ipfs://wheel", "--rpc-url", url, cwd=home, env=env)  # fmt: skip
        assert "created campaign" in created
        count = int(created.split("created campaign ")[1].split()[0])

        port = free_port()
        index = f"sqlite:///{home}/index.sqlite"
        serving = {**env, "RPC_URL": url, "DATABASE_URL": index, "POLL_INTERVAL": "0.2"}
        gateway = subprocess.Popen(
            [str(bin_ / "crowdfund"), "serve", "--port", str(port), "--log-level", "warning"],
            cwd=home, env=serving,
        )  # fmt: skip
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as api:

                def listed() -> dict[str, object] | None:
                    try:
                        answer = api.get("/campaigns", params={"limit": 100})
                    except httpx.TransportError:
                        return None
                    return answer.json() if answer.status_code == 200 else None

                page = eventually(listed, what="the installed gateway serving /campaigns")
                items = page["items"]
                assert isinstance(items, list)
                assert {c["id"] for c in items} == set(range(1, count + 1))
                assert {c["metadata_uri"] for c in items} >= {"ipfs://wheel"}

                # The demo's documents and images, package data written into the gateway's
                # default content folder by `crowdfund demo` run in the same folder.
                def demo_verified() -> list[dict[str, Any]] | None:
                    answer = api.get("/campaigns", params={"limit": 100}).json()["items"]
                    shown = [c for c in answer if c["id"] < count]
                    return shown if all(c["metadata_status"] == "verified" for c in shown) else None

                demo = eventually(demo_verified, what="the demo campaigns' documents verified")
                assert len(demo) == 6 and all(c["title"] and c["summary"] for c in demo)
                assert all(api.get(c["image"]).headers["content-type"] == "image/png" for c in demo)
                assert Web3.is_checksum_address(api.get("/health").json()["escrow"])
                front = api.get("/")
                assert front.status_code == 200 and "<script" in front.text
                docs = api.get("/docs")
                assert docs.status_code == 200
                assert api.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
        finally:
            gateway.terminate()
            gateway.wait(timeout=20)
