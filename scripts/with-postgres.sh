#!/usr/bin/env bash
# Runs COMMAND with a throwaway PostgreSQL cluster: initdb into a temporary folder, pg_ctl on a free
# loopback port, OZON_RULES_TEST_POSTGRES_URL exported for COMMAND (a URL of database `postgres`,
# user `ozon`, no password), and the cluster stopped and deleted when the script exits, however it
# exits. Debian's binaries come from /usr/lib/postgresql/*/bin (package postgresql;
# `scripts/bootstrap.sh --test` installs it). initdb refuses to run as root, so as root the
# cluster belongs to an unprivileged system user, ozon-rules-pg, made when missing.
#
#   scripts/with-postgres.sh swift test --filter PostingStoreTests
#   OZON_RULES_TEST_POSTGRES_URL=postgres://me@db:5432/scratch scripts/with-postgres.sh CMD   # use that server instead
set -euo pipefail

if (($# == 0)); then
  echo "usage: scripts/with-postgres.sh COMMAND [ARG...]" >&2
  exit 2
fi
if [[ -n "${OZON_RULES_TEST_POSTGRES_URL:-}" ]]; then
  exec "$@"
fi

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  echo "with-postgres: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (run scripts/bootstrap.sh --test)" >&2
  exit 1
fi

as_owner=()
owner="$(id -un)"
if [[ $(id -u) -eq 0 ]]; then
  owner=ozon-rules-pg
  if ! id -u "$owner" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  fi
  as_owner=(runuser -u "$owner" --)
fi

cluster="$(mktemp -d "${TMPDIR:-/tmp}/ozon-rules-pg.XXXXXX")"
chmod 755 "$cluster"
[[ $(id -u) -eq 0 ]] && chown "$owner" "$cluster"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

stop_cluster() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$cluster"
}
trap stop_cluster EXIT

"${as_owner[@]}" "$bin/initdb" -D "$cluster/data" -U ozon --auth=trust --encoding=UTF8 --locale=C >"$cluster/initdb.log" 2>&1 || {
  cat "$cluster/initdb.log" >&2
  exit 1
}
# A cluster for tests only: no fsync, room for one pool per test running in parallel.
if ! "${as_owner[@]}" "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null; then
  cat "$cluster/server.log" >&2
  exit 1
fi
export OZON_RULES_TEST_POSTGRES_URL="postgres://ozon@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (cluster in $cluster)" >&2

status=0
"$@" || status=$?
exit "$status"
