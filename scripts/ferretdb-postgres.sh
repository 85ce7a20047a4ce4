#!/usr/bin/env bash
# Starts FerretDB on a local PostgreSQL (Debian's package), for tests and benchmarks on
# machines without mongod. PostgreSQL is FerretDB's main backend: on its SQLite backend
# every filter on a field other than _id scans the collection, so figures taken there are
# the database's, not the program's.
#
# Usage: scripts/ferretdb-postgres.sh <port> <postgres database> <log dir>
# Installs and starts PostgreSQL when needed, (re)creates the PostgreSQL database empty,
# starts FerretDB in the background and prints "<pid> <mongodb uri>" as the last line.
set -euo pipefail
port="$1"
pg_database="$2"
log_dir="$3"
cd "$(dirname "$0")/.."

as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
  echo "ferretdb-postgres: installing PostgreSQL (Debian's package)" >&2
  $as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq postgresql >/dev/null
fi
read -r pg_version pg_cluster pg_port pg_status _ < <(pg_lsclusters -h | head -n 1)
if [ "$pg_status" != "online" ]; then
  $as_root pg_ctlcluster "$pg_version" "$pg_cluster" start
fi
for _ in $(seq 1 30); do
  as_postgres pg_isready -q -p "$pg_port" && break
  sleep 0.5
done

# FerretDB keeps a connection pool per database, and the tests make a database per file:
# Debian's default of 100 connections runs out when several suites share one server.
current=$(as_postgres psql -tAq -p "$pg_port" -c 'SHOW max_connections')
if [ "$current" -lt 500 ]; then
  as_postgres psql -q -p "$pg_port" -c 'ALTER SYSTEM SET max_connections = 500' >/dev/null
  $as_root pg_ctlcluster "$pg_version" "$pg_cluster" restart
  for _ in $(seq 1 30); do
    as_postgres pg_isready -q -p "$pg_port" && break
    sleep 0.5
  done
fi

# A role of its own with a password: FerretDB connects over TCP.
as_postgres psql -q -p "$pg_port" -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'loyalty_ferretdb') THEN
    CREATE ROLE loyalty_ferretdb LOGIN PASSWORD 'loyalty_ferretdb';
  END IF;
END \$\$;
SQL
as_postgres dropdb -p "$pg_port" --if-exists "$pg_database"
as_postgres createdb -p "$pg_port" -O loyalty_ferretdb "$pg_database"

ferretdb_bin=$(bash scripts/build-ferretdb.sh | tail -n 1)
mkdir -p "$log_dir"
"$ferretdb_bin" --handler=postgresql \
  --postgresql-url="postgres://loyalty_ferretdb:loyalty_ferretdb@127.0.0.1:$pg_port/$pg_database" \
  --state-dir="$log_dir" --listen-addr="127.0.0.1:$port" --debug-addr=- --telemetry=disable --log-level=error \
  >"$log_dir/ferretdb.log" 2>&1 &
pid=$!
uri="mongodb://127.0.0.1:$port/ci"
for _ in $(seq 1 60); do
  if node -e 'const {MongoClient}=require("mongodb");const c=new MongoClient(process.argv[1],{serverSelectionTimeoutMS:500});c.connect().then(()=>c.db("admin").command({ping:1})).then(()=>process.exit(0),()=>process.exit(1))' "$uri" 2>/dev/null; then
    echo "FerretDB $("$ferretdb_bin" --version | head -n 1) on PostgreSQL $pg_version, at $uri" >&2
    echo "$pid $uri"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || { cat "$log_dir/ferretdb.log" >&2; exit 1; }
  sleep 0.5
done
echo "ferretdb-postgres: FerretDB did not answer in 30 s" >&2
cat "$log_dir/ferretdb.log" >&2
exit 1
