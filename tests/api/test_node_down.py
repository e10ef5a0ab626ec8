"""A node that is down gives 503 with Retry-After, and the gateway recovers by itself."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from support.chain import anvil, free_port
from support.gateway import eventually, gateway

from crowdfund.deploy import deploy_escrow


def status(api: httpx.Client, path: str, expected: int) -> httpx.Response | None:
    response = api.get(path)
    return response if response.status_code == expected else None


def test_node_down_then_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWDFUND_DEPLOYMENTS", str(tmp_path))
    port = free_port()
    state = tmp_path / "state.json"
    with gateway(f"http://127.0.0.1:{port}", tmp_path, RPC_TIMEOUT="2") as api:
        # Nothing listens yet: a 503 (the client's own timeout would fail a hanging request).
        response = api.get("/health")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert api.get("/health/live").json() == {"status": "ok"}

        with anvil(port, "--state", str(state)) as w3:
            deployment = deploy_escrow(w3, w3.eth.accounts[0])
            health = eventually(lambda: status(api, "/health", 200), what="the gateway finding the node")
            assert health.json()["escrow"] == deployment.address

        # The node stopped after the gateway had connected.
        response = eventually(lambda: status(api, "/campaigns", 503), what="a 503 once the node stopped")
        assert response.headers["retry-after"] == "5"
        assert "did not answer" in response.json()["detail"]
        assert api.get("/campaigns/1").status_code == 503

        with anvil(port, "--state", str(state)):
            eventually(lambda: status(api, "/health", 200), what="recovery once the node is back")
            assert api.get("/campaigns").json()["items"] == []


def test_node_url_keys_never_reach_an_answer(tmp_path: Path) -> None:
    # Providers put API keys in the URL's path; a 503 names the node by host only.
    url = f"http://127.0.0.1:{free_port()}/v3/SECRET-KEY"
    with gateway(url, tmp_path) as api:
        for path in ("/health", "/campaigns"):
            response = api.get(path)
            assert response.status_code == 503
            assert "SECRET" not in response.text
            assert "127.0.0.1" in response.json()["detail"]
