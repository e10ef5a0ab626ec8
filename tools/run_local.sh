#!/usr/bin/env bash
# `make run`: a local chain with the escrow and demo campaigns, and the gateway over it.
# With RPC_URL set, only the gateway runs, against that node.
# Ctrl-C (or any exit) stops every process this script started.
# Settings: RUN_PORT (the chain, 18545), API_HOST/API_PORT (the gateway, 127.0.0.1:8000),
# CHAIN_DIR (the chain's saved state, the gateway's index and content store, .chain), VENV (.venv).
# Deploying and seeding go through the `crowdfund` package (the deployment registry is
# deployments/, or $CROWDFUND_DEPLOYMENTS), so this works from any checkout path.
set -euo pipefail

RUN_PORT=${RUN_PORT:-18545}
VENV=${VENV:-.venv}
API_HOST=${API_HOST:-127.0.0.1}
API_PORT=${API_PORT:-8000}
CHAIN_DIR=${CHAIN_DIR:-.chain}
pids=()
chain_started=

stop() {
  trap - EXIT INT TERM
  if ((${#pids[@]})); then
    if [[ -n $chain_started ]]; then
      echo "==> stopping (the chain's state is saved in $CHAIN_DIR/state.json)"
    else
      echo "==> stopping"
    fi
    # Newest first: the gateway before the chain it reads, so it never sees the chain gone.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
      kill -TERM "${pids[i]}" 2>/dev/null || true
      wait "${pids[i]}" 2>/dev/null || true
    done
    echo "==> stopped"
  fi
}
trap stop EXIT
# Ctrl-C is how `make run` is meant to end: a clean stop, not a failure for make to report.
trap 'exit 0' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [[ -n "${RPC_URL:-}" ]]; then
  # Host only: providers put API keys in the URL's path.
  echo "==> serving the gateway against $(sed -E 's#^([a-z]+://[^/?]+).*#\1#' <<<"$RPC_URL")"
  # An index of its own for each node URL: the local chain's index belongs to that chain,
  # and a gateway refuses to serve an index of another chain.
  mkdir -p "$CHAIN_DIR"
  export DATABASE_URL=${DATABASE_URL:-sqlite:///$CHAIN_DIR/index-$(printf %s "$RPC_URL" | sha256sum | cut -c1-12).sqlite}
  echo "    index: $DATABASE_URL"
else
  export RPC_URL="http://127.0.0.1:$RUN_PORT"
  if port_open "$API_PORT"; then
    echo "error: port $API_PORT is taken (another gateway?); stop that first, or pick another with API_PORT=..." >&2
    exit 1
  fi
  if port_open "$RUN_PORT"; then
    echo "error: port $RUN_PORT is taken (another 'make run'?); stop that first, or run the chain on another port with RUN_PORT=..." >&2
    exit 1
  fi
  mkdir -p "$CHAIN_DIR"
  # The gateway's index belongs to this chain: kept beside its state.
  export DATABASE_URL=${DATABASE_URL:-sqlite:///$CHAIN_DIR/index.sqlite}
  # So is its content store: `crowdfund demo` writes the demo's documents and images there
  # before the gateway starts, and the gateway serves them from there.
  export CONTENT_DIR=${CONTENT_DIR:-$CHAIN_DIR/content}
  echo "==> local chain (anvil) on $RPC_URL, state kept in $CHAIN_DIR/state.json"
  # A new chain starts three days in the past, so that the demo's ended campaigns can end
  # before now and the chain still reaches the machine's time (crowdfund.demo).
  start=()
  [[ -f "$CHAIN_DIR/state.json" ]] || start=(--timestamp "$(( $(date +%s) - 3 * 86400 ))")
  # In a session of its own: Ctrl-C at the terminal reaches the gateway and this script,
  # which then stop the chain last (see stop), once the gateway no longer reads it.
  setsid anvil --port "$RUN_PORT" --state "$CHAIN_DIR/state.json" --state-interval 5 --silent "${start[@]}" &
  pids+=($!)
  chain_started=1
  for _ in $(seq 50); do port_open "$RUN_PORT" && break; sleep 0.1; done
  port_open "$RUN_PORT" || { echo "error: anvil did not start" >&2; exit 1; }
  # anvil reloads a saved chain with the machine's clock, which may be behind the chain's
  # (the demo moves it two days on): the next block must not be older than the last.
  "$VENV/bin/python" -m crowdfund.localchain "$RPC_URL"
  echo "==> deploying the escrow (skipped when already deployed on this chain)"
  "$VENV/bin/crowdfund" deploy --if-missing --rpc-url "$RPC_URL"
  echo "==> demo campaigns (only on a new chain)"
  "$VENV/bin/crowdfund" demo --rpc-url "$RPC_URL"
fi

echo "==> gateway on http://$API_HOST:$API_PORT"
echo "    backer page: http://$API_HOST:$API_PORT/"
echo "    campaigns:  http://$API_HOST:$API_PORT/campaigns"
echo "    API docs:   http://$API_HOST:$API_PORT/docs"
echo "    Ctrl-C stops everything"
"$VENV/bin/crowdfund" serve --host "$API_HOST" --port "$API_PORT" &
pids+=($!)
wait -n "${pids[@]}"
