"""A node that is down gives 503 with Retry-After, and the gateway recovers by itself."""

from __future__ import annotations

import time
from pathlib import Path

from support.chain import anvil, free_port
from support.gateway import gateway

from crowdfund.deploy import deploy_escrow


def test_node_down_then_back(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CROWDFUND_DEPLOYMENTS", str(tmp_path))
    port = free_port()
    state = tmp_path / "state.json"
    with gateway(f"http://127.0.0.1:{port}", tmp_path, RPC_TIMEOUT="2") as api:
        # Nothing listens yet.
        started = time.monotonic()
        response = api.get("/health")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert time.monotonic() - started < 3

        with anvil(port, "--state", str(state)) as w3:
            deployment = deploy_escrow(w3, w3.eth.accounts[0])
            health = api.get("/health")
            assert health.status_code == 200
            assert health.json()["escrow"] == deployment.address

        # The node stopped after the gateway had connected.
        response = api.get("/campaigns")
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert "did not answer" in response.json()["detail"]

        with anvil(port, "--state", str(state)):
            assert api.get("/health").status_code == 200
            assert api.get("/campaigns").json()["items"] == []
