#!/usr/bin/env bash
# Sets up SAGE-TS on this machine and runs the main example (or, with --test, every test).
# Idempotent: a second run only checks what is already there.
set -euo pipefail

usage() {
  cat <<'TEXT'
Usage: ./quickstart.sh [--test] [--bench] [--skip-system] [--help]

Sets up everything SAGE-TS needs, non-interactively:
  1. system packages through apt-get, when missing (needs root or sudo): FAISS, OpenBLAS (OpenMP), cmake, g++
  2. pnpm, at the version pinned in package.json
  3. the workspace install and build
Then runs the main job (examples/rag: questions answered from a bundled corpus, offline).

  --test          after set-up, run every test (lint, dependency rules, typecheck, unit and integration tests;
                  starts Redis and PostgreSQL for them when none answers)
  --bench         after set-up, run the kernel benchmark
  --skip-system   do not install system packages (you manage them yourself)
  --help          show this help
TEXT
}

MODE=example
SKIP_SYSTEM=0
for argument in "$@"; do
  case "$argument" in
    --test) MODE=test ;;
    --bench) MODE=bench ;;
    --skip-system) SKIP_SYSTEM=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "quickstart: unknown flag '$argument' (see --help)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")"
ROOT=$(pwd)
say() { printf '\033[1m[sage]\033[0m %s\n' "$*"; }

# Native addons built by node-gyp find Node's headers here instead of downloading them.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
export TURBO_TELEMETRY_DISABLED=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  [ "$SKIP_SYSTEM" -eq 1 ] && { say "skipping system packages: $*"; return 0; }
  if ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get not found: install these yourself: $*"
    return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  say "installing system packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

check_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "quickstart: Node.js 20.12 or newer is required (https://nodejs.org); it was not found" >&2
    exit 1
  fi
  local version major minor
  version=$(node -p 'process.versions.node')
  major=${version%%.*}
  minor=$(echo "$version" | cut -d. -f2)
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 12 ]; }; then
    echo "quickstart: Node.js 20.12 or newer is required, found $version" >&2
    exit 1
  fi
}

# Debian packages the native addons build against: FAISS (static) with the OpenMP build of OpenBLAS
# (the reference BLAS is 12-60x slower; the pthread OpenBLAS fights OpenMP on small machines).
NATIVE_PACKAGES=(libfaiss-dev libopenblas-openmp-dev libgtest-dev cmake g++ make python3)

ensure_system_packages() {
  local missing=()
  command -v git >/dev/null 2>&1 || missing+=(git)
  for package in "${NATIVE_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
  prefer_openmp_openblas
}

prefer_openmp_openblas() {
  local openmp=/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3
  [ -e "$openmp" ] || return 0
  command -v update-alternatives >/dev/null 2>&1 || return 0
  if [ "$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/ {print $2}')" != "$openmp" ]; then
    as_root update-alternatives --set libblas.so.3-x86_64-linux-gnu "$openmp" >/dev/null 2>&1 || true
  fi
}

ensure_pnpm() {
  local pinned
  pinned=$(node -p "require('./package.json').packageManager.split('@')[1]")
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$pinned" ]; then
    return 0
  fi
  say "installing pnpm $pinned"
  if [ -w "$(npm prefix -g)" ]; then
    npm install -g --silent "pnpm@$pinned"
  else
    as_root npm install -g --silent "pnpm@$pinned"
  fi
}

redis_answers() {
  node -e '
    const url = new URL(process.env.REDIS_URL);
    const socket = require("node:net").connect(Number(url.port || 6379), url.hostname);
    socket.setTimeout(1000, () => process.exit(1));
    socket.on("error", () => process.exit(1));
    socket.on("connect", () => socket.write((url.password ? `AUTH ${decodeURIComponent(url.password)}\r\n` : "") + "PING\r\n"));
    socket.on("data", (data) => process.exit(String(data).includes("PONG") ? 0 : 1));
  '
}

# Tests that talk to Redis use REDIS_URL; start a throw-away local one when none answers.
ensure_redis() {
  if redis_answers; then return 0; fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  local port
  port=$(node -p 'new URL(process.env.REDIS_URL).port || 6379')
  say "starting redis-server on 127.0.0.1:$port (no persistence)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --dir /tmp --logfile /tmp/sage-redis.log
  for _ in $(seq 1 50); do redis_answers && return 0; sleep 0.1; done
  echo "quickstart: redis-server did not answer on $REDIS_URL (see /tmp/sage-redis.log)" >&2
  exit 1
}

# The PostgreSQL the tests use: DATABASE_URL when set and answering, else the server on 127.0.0.1:5432 when it
# answers (its `test` database), else a private throwaway instance on 127.0.0.1:5433 (trust auth, no service
# touched), created with the PostgreSQL binaries from apt.
postgres_answers() {
  node -e '
    const url = new URL(process.argv[1]);
    const socket = require("node:net").connect(Number(url.port || 5432), url.hostname);
    socket.setTimeout(1000, () => process.exit(1));
    socket.on("error", () => process.exit(1));
    socket.on("connect", () => process.exit(0));
  ' "$1"
}

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ] && postgres_answers "$DATABASE_URL"; then return 0; fi
  if postgres_answers postgres://127.0.0.1:5432/test; then return 0; fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bin" ]; then
    apt_install postgresql
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  local data=/tmp/sage-postgres port=5433 user
  user=$(id -un)
  # initdb refuses to run as root: the instance belongs to the postgres user then.
  [ "$user" = root ] && user=postgres
  run_pg() { if [ "$(id -un)" = "$user" ]; then "$@"; else as_root runuser -u "$user" -- "$@"; fi; }
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/test"
  if postgres_answers "$DATABASE_URL"; then return 0; fi
  say "starting a private PostgreSQL for the tests on 127.0.0.1:$port"
  if [ ! -f "$data/PG_VERSION" ]; then
    as_root mkdir -p "$data" && as_root chown "$user" "$data"
    run_pg "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
  fi
  run_pg "$bin/pg_ctl" -D "$data" -l /tmp/sage-postgres.log -w \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
  run_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres test 2>/dev/null || true
  # A role for the user running the tests too (clients without a user in the URL connect as it).
  run_pg "$bin/createuser" -h 127.0.0.1 -p "$port" -U postgres -s "$(id -un)" 2>/dev/null || true
  postgres_answers "$DATABASE_URL" || { echo "quickstart: PostgreSQL did not start (see /tmp/sage-postgres.log)" >&2; exit 1; }
}

check_node
ensure_system_packages
ensure_pnpm
say "installing the workspace"
pnpm install --frozen-lockfile --reporter=silent
say "building"
pnpm run build --output-logs=errors-only

case "$MODE" in
  test)
    ensure_redis
    ensure_postgres
    say "running every test"
    pnpm test
    ;;
  bench)
    pnpm bench:kernel
    ;;
  example)
    say "running the main job, examples/rag: questions answered from the bundled corpus (more in examples/README.md)"
    pnpm exec sage run examples/rag/rag.ts
    ;;
esac
