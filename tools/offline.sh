#!/usr/bin/env bash
# Run a command in a network namespace that has only loopback, so that anything in it that
# tries to reach beyond 127.0.0.1 fails loudly instead of quietly depending on the network.
# `make test` runs the suite this way once `make setup` has installed everything.
set -euo pipefail
# As root a plain network namespace keeps every user id (the PostgreSQL tests switch to
# the postgres user); anyone else needs a user namespace to be allowed one.
if [[ $(id -u) == 0 ]]; then isolate=(unshare --net); else isolate=(unshare --net --map-root-user); fi
if "${isolate[@]}" true 2>/dev/null; then
  exec "${isolate[@]}" bash -c 'ip link set lo up && exec "$@"' offline "$@"
fi
echo "warning: cannot create a network namespace here; running with the machine's network" >&2
exec "$@"
