#!/usr/bin/env bash
# `make run`: a local chain with the escrow and demo campaigns, and the gateway over it.
# With RPC_URL set, only the gateway runs, against that node.
# Ctrl-C (or any exit) stops every process this script started.
set -euo pipefail

RUN_PORT=${RUN_PORT:-18545}
BROWNIE=${BROWNIE:-.venv-brownie/bin/brownie}
VENV=${VENV:-.venv}
API_HOST=${API_HOST:-127.0.0.1}
API_PORT=${API_PORT:-8000}
pids=()

stop() {
  trap - EXIT INT TERM
  if ((${#pids[@]})); then
    echo "==> stopping (the chain's state is saved in .chain/state.json)"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [[ -n "${RPC_URL:-}" ]]; then
  # Host only: providers put API keys in the URL's path.
  echo "==> serving the gateway against $(sed -E 's#^([a-z]+://[^/?]+).*#\1#' <<<"$RPC_URL")"
else
  export RPC_URL="http://127.0.0.1:$RUN_PORT"
  if port_open "$RUN_PORT"; then
    echo "error: port $RUN_PORT is taken (another 'make run'?); stop that first" >&2
    exit 1
  fi
  mkdir -p .chain
  echo "==> local chain (anvil) on $RPC_URL, state kept in .chain/state.json"
  anvil --port "$RUN_PORT" --state .chain/state.json --state-interval 5 --silent &
  pids+=($!)
  for _ in $(seq 50); do port_open "$RUN_PORT" && break; sleep 0.1; done
  port_open "$RUN_PORT" || { echo "error: anvil did not start" >&2; exit 1; }
  echo "==> deploying the escrow (skipped when already deployed on this chain)"
  "$BROWNIE" run scripts/deploy.py --network crowdfund-local --silent
  echo "==> demo campaigns (only on a new chain)"
  "$BROWNIE" run scripts/seed_demo.py --network crowdfund-local --silent
fi

echo "==> gateway on http://$API_HOST:$API_PORT"
echo "    backer page: http://$API_HOST:$API_PORT/"
echo "    campaigns:  http://$API_HOST:$API_PORT/campaigns"
echo "    API docs:   http://$API_HOST:$API_PORT/docs"
echo "    Ctrl-C stops everything"
"$VENV/bin/crowdfund" serve --host "$API_HOST" --port "$API_PORT" &
pids+=($!)
wait -n "${pids[@]}"
