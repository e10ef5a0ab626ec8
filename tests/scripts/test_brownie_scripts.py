"""The brownie scripts deploy the escrow and its vault, record them, and seed the demo campaigns."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from support.chain import ROOT, anvil

from crowdfund.escrow import Escrow
from crowdfund.state import State

# brownie attaches to the node already listening on its network's port; `make setup`
# registers this network for these tests.
NETWORK, PORT = "crowdfund-pytest", 18548


def brownie_run(script: str, registry: Path) -> str:
    result = subprocess.run(
        [str(ROOT / ".venv-brownie/bin/brownie"), "run", script, "--network", NETWORK, "--silent"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        # The demo's documents and images go beside the registry, not into the checkout.
        env={**os.environ, "CROWDFUND_DEPLOYMENTS": str(registry), "CONTENT_DIR": str(registry / "content")},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_deploy_then_seed_then_nothing_twice(tmp_path: Path) -> None:
    with anvil(PORT) as w3:
        out = brownie_run("scripts/deploy.py", tmp_path)
        record = json.loads((tmp_path / "31337.json").read_text())
        assert f"escrow deployed on chain 31337 at {record['address']}" in out
        assert w3.eth.get_code(record["address"])
        assert f"milestone vault deployed at {record['vault_address']}" in out
        assert w3.eth.get_code(record["vault_address"])

        assert "already deployed" in brownie_run("scripts/deploy.py", tmp_path)
        assert json.loads((tmp_path / "31337.json").read_text()) == record

        seeded = brownie_run("scripts/seed_demo.py", tmp_path)
        escrow = Escrow(w3, record["address"])
        states = [c.state for c in escrow.campaigns(1, 100)]
        assert states == [
            State.SUCCEEDED,
            State.FAILED,
            State.CLAIMED,  # through the milestone vault, which collected it
            State.ACTIVE,
            State.CANCELLED,
            State.ACTIVE,
        ]
        garden = escrow.campaign(4)
        assert garden.pledged * 2 == garden.goal  # half funded
        assert escrow.campaign(6).token != "0x" + "00" * 20
        assert "Community garden (Active)" in seeded
        assert len(list((tmp_path / "content").iterdir())) == 16  # 8 documents, 8 images

        assert "no demo seeding needed" in brownie_run("scripts/seed_demo.py", tmp_path)
        assert escrow.campaign_count() == 6


def test_a_script_under_a_folder_with_dots_in_its_name_runs(tmp_path: Path) -> None:
    # brownie turns a script's folders into a dotted module name; `make setup` installs the
    # import finder that resolves it (tools/brownie_dotted_paths.py). Checked here from any
    # checkout, dotted or not.
    folder = tmp_path / "jane.doe" / "src.v2"
    folder.mkdir(parents=True)
    (folder / "hello.py").write_text("def main():\n    print('hello from', __file__)\n")
    with anvil(PORT):
        result = subprocess.run(
            [str(ROOT / ".venv-brownie/bin/brownie"), "run", str(folder / "hello.py"), "--network", NETWORK],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"hello from {folder / 'hello.py'}" in result.stdout
