#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the store tests; print its URL on stdout.
# (.ci/system-deps.sh installs Debian's postgresql.) Usage: eval "$(.ci/postgres.sh)";
# `.ci/postgres.sh stop` stops the server that $SUPERIONIC_TEST_PG_DIR names.
set -euo pipefail
port=${PGPORT_TEST:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
run=()
if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
if [ "${1:-}" = stop ]; then
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n1)")
  "${run[@]}" "$bin/pg_ctl" -D "$SUPERIONIC_TEST_PG_DIR/data" stop -m fast >/dev/null
  rm -rf "$SUPERIONIC_TEST_PG_DIR"
  exit 0
fi
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n1)")
dir=$(mktemp -d /tmp/superionic-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
"${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=100" start >&2
"${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres superionic_test
echo "export SUPERIONIC_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$port/superionic_test"
echo "export SUPERIONIC_TEST_PG_DIR=$dir"
