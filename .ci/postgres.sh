#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the store tests; print its URL on stdout.
# Installs Debian's postgresql when it is missing. Usage: eval "$(.ci/postgres.sh)";
# `.ci/postgres.sh stop` stops the server that $SUPERIONIC_TEST_PG_DIR names.
set -euo pipefail
port=${PGPORT_TEST:-55432}
run=()
if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
if [ "${1:-}" = stop ]; then
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n1)")
  "${run[@]}" "$bin/pg_ctl" -D "$SUPERIONIC_TEST_PG_DIR/data" stop -m fast >/dev/null
  rm -rf "$SUPERIONIC_TEST_PG_DIR"
  exit 0
fi
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  else
    echo "postgresql is not installed and we are not root" >&2; exit 1
  fi
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
