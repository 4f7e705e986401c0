#!/usr/bin/env bash
# Parcours development entry point: installs what is missing, then starts the whole system or one
# part of it, or runs the test suite. Run `./temporal-dev.sh --help`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

TEMPORAL_CLI_VERSION="v1.5.1" # newest tag whose go.mod has no replace directive (go install works)
# The cluster profile: the Temporal server and its SQL tool, and the standalone Web UI server (the CLI's
# UI only talks to the dev server). Both modules install with `go install` (no replace directives).
TEMPORAL_SERVER_VERSION="v1.29.1"
TEMPORAL_UI_SERVER_VERSION="v2.42.1"
TEMPORAL_PORT="${TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}"
SMTP_PORT="${SMTP_PORT:-1025}"
MAIL_UI_PORT="${MAIL_UI_PORT:-1080}"
API_PORT="${API_PORT:-3000}"
# Prometheus metrics, each process on its own port (docs/deploy.md, "Metrics").
WORKER_METRICS_PORT="${WORKER_METRICS_PORT:-9464}"
API_METRICS_PORT="${API_METRICS_PORT:-9470}"
DEV_DIR="$ROOT/.dev"
# Node flags of every care worker, kept in one file the bench harness reads too (docs/deploy.md, "Workers").
WORKER_NODE_FLAGS="$(cat "$ROOT/workers/node-flags")"
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}" # the browser tests drive Debian's chromium, never a download

export PATH="$ROOT/node_modules/.bin:$PATH:/usr/local/go/bin"
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:$TEMPORAL_PORT}"
export TEMPORAL_UI_URL="${TEMPORAL_UI_URL:-http://localhost:$TEMPORAL_UI_PORT}"
export SMTP_HOST="${SMTP_HOST:-127.0.0.1}" SMTP_PORT API_PORT CHROMIUM_PATH
# playwright-core (browser tests) never downloads a browser; this says so to any tool that would try.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://localhost:$API_PORT}"
# Node headers from Debian's package, so native modules compile without downloading headers.
[ -f /usr/include/node/node_api.h ] && export npm_config_nodedir=/usr

usage() {
  cat <<'EOF'
Usage: ./temporal-dev.sh [command]

Commands:
  up        (default) install what is missing, then start everything: Temporal dev server with
            Web UI, mail inbox, worker, mail relay and API. Ctrl-C stops all of it; state is kept in .dev/ and
            data/ for the next run.
  setup     install only: npm packages, the Temporal CLI and Web UI server (built from their Go modules, cached in
            .temporal/bin), Debian's chromium for the browser tests (apt-get, when
            /usr/bin/chromium or $CHROMIUM_PATH is missing), Prisma clients, TypeScript build,
            database migrations (SQLite by default; PostgreSQL when DATABASE_URL=postgresql://…), and
            the cluster profile's Temporal server, SQL tool and UI server (Go modules, cached in
            .temporal/bin; the test suite's cluster profile test needs them).
  test      setup, then typecheck, lint and the whole test suite (Jest against a real Temporal
            dev server and SMTP server on free ports; nothing is left running).
  server    only the Temporal dev server (gRPC :7233, state in .dev/temporal.db).
  ui        only the Temporal Web UI (:8233; needs the server), decoding payloads for ops.
  mail      only the development mail inbox (SMTP :1025, web :1080).
  worker    only the worker (needs the server).
  relay     only the mail relay: delivers the outbox to the mail server (SMTP_HOST:SMTP_PORT).
  api       only the API (needs the server).
  cluster   the production-like profile on this machine: the Temporal server (built from its Go
            module, config in deploy/temporal/) on PostgreSQL with SQL visibility, its Web UI, two
            care workers, the mail relay, two API instances (API_PORT and API_PORT_2) and the mail
            inbox, with Parcours on PostgreSQL too. Needs PostgreSQL at PG_HOST:PG_PORT
            (127.0.0.1:5432, user postgres); the state stays there for the next run. docs/deploy.md.
  -h, --help  this text.

Ports: TEMPORAL_PORT, TEMPORAL_UI_PORT, SMTP_PORT, MAIL_UI_PORT, API_PORT, and the Prometheus metrics'
WORKER_METRICS_PORT (9464) and API_METRICS_PORT (9470). Other settings: see the README.
EOF
}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'temporal-dev.sh: %s\n' "$*" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
require_free_port() { # port, what, variable
  if port_in_use "$1"; then
    die "port $1 ($2) is already in use. Is Parcours or another Temporal server already running? Stop it, or pick another port with $3=<port>."
  fi
}

# --- installation ---------------------------------------------------------------------------------

install_node_modules() {
  local stamp="node_modules/.parcours-lock.sha256" want
  want="$(sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  say "Installing npm packages"
  # Not `npm ci`: the registry these machines reach lacks other platforms' optional packages
  # (e.g. @swc/core-darwin-arm64), so the lock file cannot list them and `npm ci` refuses it.
  # `npm install` follows the lock file and skips those.
  npm install --no-audit --no-fund
  echo "$want" > "$stamp"
}

temporal_cli() { # prints the path of the Temporal CLI, building it when missing
  local candidates=("${TEMPORAL_CLI:-}" "$ROOT/.temporal/bin/temporal")
  if command -v go >/dev/null; then candidates+=("$(go env GOPATH)/bin/temporal"); fi
  for c in "${candidates[@]}"; do
    if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return; fi
  done
  command -v go >/dev/null || die "the Temporal CLI is missing and Go is not installed to build it (expected /usr/local/go/bin/go)."
  say "Building the Temporal CLI $TEMPORAL_CLI_VERSION from its Go module (several minutes the first time)" >&2
  local start=$SECONDS
  GOBIN="$ROOT/.temporal/bin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2
  say "Temporal CLI built in $((SECONDS - start)) s" >&2
  echo "$ROOT/.temporal/bin/temporal"
}

install_chromium() { # Debian's chromium for the browser tests (test/support/browser.ts)
  if [ -x "$CHROMIUM_PATH" ]; then return; fi
  local manual="install Debian's chromium by hand (as root: apt-get update && apt-get install -y chromium), or point CHROMIUM_PATH at a Chromium binary."
  [ "$CHROMIUM_PATH" = /usr/bin/chromium ] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file: fix it, or unset it to use Debian's chromium at /usr/bin/chromium."
  command -v apt-get >/dev/null || die "Chromium (for the browser tests) is missing at $CHROMIUM_PATH and apt-get is not available to install it: $manual"
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null \
      || die "Chromium (for the browser tests) is missing at $CHROMIUM_PATH and installing it needs root (sudo without a password is not available): $manual"
    sudo=(sudo -n)
  fi
  say "Installing Debian's chromium for the browser tests (apt-get, about a minute the first time)"
  local start=$SECONDS
  { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; } \
    || die "apt-get could not install chromium (see its output above): $manual"
  [ -x "$CHROMIUM_PATH" ] || die "apt-get installed chromium but $CHROMIUM_PATH is still missing: $manual"
  say "Chromium installed in $((SECONDS - start)) s: $("$CHROMIUM_PATH" --version 2>/dev/null || echo "$CHROMIUM_PATH")"
}

setup() {
  install_node_modules
  install_chromium
  TEMPORAL_BIN="$(temporal_cli)"
  say "Generating the Prisma clients (SQLite and PostgreSQL)"
  bash scripts/generate-clients.sh >/dev/null
  say "Building TypeScript"
  npm run --silent build
  say "Applying database migrations"
  node dist/scripts/migrate.js 2>&1 | { grep -iE 'migrations? (found|applied|have been)|pending|error|failed|^applied|postgresql:' || true; }
  # The suite's cluster profile test (test/cluster.test.ts) runs the real Temporal server: a fresh clone
  # builds it here, not halfway through the tests.
  cluster_binaries
}

search_attribute_flags() {
  node -e 'process.stdout.write(require("./dist/workflows/definitions").searchAttributeFlags().join(" "))'
}

# start-dev registers its search attributes only when it creates its state file: one kept from an older
# version (.dev/temporal.db) lacks those added since, and the worker refuses to start without them.
# Creating one that exists with the same type changes nothing.
register_search_attributes() {
  local flag
  for flag in $(search_attribute_flags); do
    [ "$flag" = --search-attribute ] && continue
    wait_until "Registering the search attribute ${flag%%=*}" 20 \
      "$TEMPORAL_BIN" operator search-attribute create --address "$TEMPORAL_ADDRESS" --name "${flag%%=*}" --type "${flag#*=}"
  done
}

# --- the cluster profile --------------------------------------------------------------------------

PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
API_PORT_2="${API_PORT_2:-$((API_PORT + 1))}"
TEMPORAL_DB="${TEMPORAL_DB:-temporal}"
TEMPORAL_VISIBILITY_DB="${TEMPORAL_VISIBILITY_DB:-temporal_visibility}"
PARCOURS_PG_DB="${PARCOURS_PG_DB:-parcours}"
TEMPORAL_RETENTION="${TEMPORAL_RETENTION:-720h}" # how long a closed case's history stays in Temporal
export TEMPORAL_NUM_HISTORY_SHARDS="${TEMPORAL_NUM_HISTORY_SHARDS:-4}"
export TEMPORAL_DB TEMPORAL_VISIBILITY_DB TEMPORAL_PORT
export TEMPORAL_PG_ADDRESS="$PG_HOST:$PG_PORT" TEMPORAL_PG_USER="$PG_USER"

go_tool() { # NAME MODULE@VERSION: prints the path of .temporal/bin/NAME, building it when missing
  local dest="$ROOT/.temporal/bin/$1"
  if [ -x "$dest" ]; then echo "$dest"; return; fi
  command -v go >/dev/null || die "$1 is missing and Go is not installed to build it (expected /usr/local/go/bin/go)."
  say "Building $1 from $2 (several minutes the first time)" >&2
  local start=$SECONDS tmp
  tmp="$(mktemp -d)"
  GOBIN="$tmp" go install "$2" >&2
  # Each module names its binary after its folder (server, sql): installed one at a time, renamed.
  mkdir -p "$ROOT/.temporal/bin"
  mv "$tmp/$(basename "${2%@*}")" "$dest"
  rm -rf "$tmp"
  say "$1 built in $((SECONDS - start)) s" >&2
  echo "$dest"
}

# The Web UI server of both profiles (the CLI's built-in UI cannot send the codec server credentials).
ui_binary() {
  TEMPORAL_UI_SERVER="$(go_tool temporal-ui-server "github.com/temporalio/ui-server/v2/cmd/server@$TEMPORAL_UI_SERVER_VERSION")"
}

cluster_binaries() {
  TEMPORAL_SERVER="$(go_tool temporal-server "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION")"
  SQL_TOOL="$(go_tool temporal-sql-tool "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION")"
  ui_binary
}

sql_tool() { # DB ARGS...
  "$SQL_TOOL" --plugin postgres12 --ep "$PG_HOST" -p "$PG_PORT" -u "$PG_USER" --db "$1" "${@:2}"
}
psql_in() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -v ON_ERROR_STOP=1 -Atq "$@"; }

# Creates the two Temporal databases and brings their schemas to the server's version. Idempotent:
# a second run finds them and applies only what is newer.
temporal_schemas() {
  local schemas pair db dir
  schemas="$(go env GOMODCACHE)/go.temporal.io/server@$TEMPORAL_SERVER_VERSION/schema/postgresql/v12"
  [ -d "$schemas" ] || die "the Temporal schema files are missing at $schemas (go install of the server fetches them)."
  for pair in "$TEMPORAL_DB:temporal" "$TEMPORAL_VISIBILITY_DB:visibility"; do
    db="${pair%%:*}"
    dir="$schemas/${pair#*:}/versioned"
    if [ -z "$(psql_in -d postgres -c "select 1 from pg_database where datname = '$db'")" ]; then
      say "Creating the database $db"
      sql_tool "$db" create-database 2>/dev/null
    fi
    if [ -z "$(psql_in -d "$db" -c "select 1 from information_schema.tables where table_name = 'schema_version'")" ]; then
      sql_tool "$db" setup-schema -v 0.0 2>/dev/null
    fi
    sql_tool "$db" update-schema -d "$dir" 2>/dev/null || die "the schema update of $db failed: run it by hand to see why: $SQL_TOOL --plugin postgres12 --ep $PG_HOST -p $PG_PORT -u $PG_USER --db $db update-schema -d $dir"
  done
}

# The server creates no namespace; creating one that exists fails, so look first. Right after a fresh
# start the frontend refuses for about a second: retried.
temporal_namespace() {
  "$TEMPORAL_BIN" operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace default >/dev/null 2>&1 && return
  wait_until "Creating the namespace default" 20 \
    "$TEMPORAL_BIN" operator namespace create --address "$TEMPORAL_ADDRESS" --namespace default --retention "$TEMPORAL_RETENTION"
}

run_temporal_server() {
  # The dynamic config's path is resolved from the working directory: start from deploy/temporal.
  start temporal bash -c "cd '$ROOT/deploy/temporal' && exec '$TEMPORAL_SERVER' --root . --config config --env cluster --allow-no-auth start"
}



cluster() {
  require_free_port "$TEMPORAL_PORT" "Temporal gRPC" TEMPORAL_PORT
  require_free_port "$TEMPORAL_UI_PORT" "Temporal Web UI" TEMPORAL_UI_PORT
  require_free_port "$SMTP_PORT" "mail SMTP" SMTP_PORT
  require_free_port "$MAIL_UI_PORT" "mail inbox" MAIL_UI_PORT
  require_free_port "$API_PORT" "API" API_PORT
  require_free_port "$API_PORT_2" "second API" API_PORT_2
  require_free_port "$WORKER_METRICS_PORT" "first worker's metrics" WORKER_METRICS_PORT
  require_free_port "$((WORKER_METRICS_PORT + 1))" "second worker's metrics" WORKER_METRICS_PORT
  require_free_port "$API_METRICS_PORT" "API metrics" API_METRICS_PORT
  require_free_port "$((API_METRICS_PORT + 1))" "second API's metrics" API_METRICS_PORT
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || die "PostgreSQL is not answering at $PG_HOST:$PG_PORT: start it, or set PG_HOST and PG_PORT."
  if [ -z "$(psql_in -d postgres -c "select 1 from pg_database where datname = '$PARCOURS_PG_DB'")" ]; then
    say "Creating the database $PARCOURS_PG_DB"
    psql_in -d postgres -c "create database \"$PARCOURS_PG_DB\""
  fi
  export DATABASE_URL="${CLUSTER_DATABASE_URL:-postgresql://$PG_USER@$PG_HOST:$PG_PORT/$PARCOURS_PG_DB}"
  setup
  cluster_binaries
  say "Temporal schemas on PostgreSQL ($TEMPORAL_DB, $TEMPORAL_VISIBILITY_DB; $TEMPORAL_NUM_HISTORY_SHARDS history shards)"
  temporal_schemas
  FOREGROUND=0
  trap stop_all EXIT
  trap 'exit 130' INT TERM
  say "Starting the Temporal server, its Web UI and the mail inbox"
  run_temporal_server
  wait_until "The Temporal server" 60 "$TEMPORAL_BIN" operator cluster health --address "$TEMPORAL_ADDRESS"
  temporal_namespace
  register_search_attributes
  run_ui_server
  run_mail
  wait_until "The mail inbox" 30 port_in_use "$SMTP_PORT"
  say "Starting two workers, the mail relay and two API instances"
  start worker-1 env METRICS_ADDRESS="127.0.0.1:$WORKER_METRICS_PORT" node $WORKER_NODE_FLAGS dist/workers/main.js
  start worker-2 env METRICS_ADDRESS="127.0.0.1:$((WORKER_METRICS_PORT + 1))" node $WORKER_NODE_FLAGS dist/workers/main.js
  run_relay
  run_api
  start api-2 env API_PORT="$API_PORT_2" METRICS_ADDRESS="127.0.0.1:$((API_METRICS_PORT + 1))" node dist/api/main.js
  wait_until "The API" 60 curl -fsS "http://127.0.0.1:$API_PORT/health"
  wait_until "The second API" 60 curl -fsS "http://127.0.0.1:$API_PORT_2/health"
  cat <<EOF

  Parcours (cluster profile) is running. Ctrl-C stops everything; PostgreSQL keeps the state.

    API           http://localhost:$API_PORT and http://localhost:$API_PORT_2
    Temporal UI   $TEMPORAL_UI_URL
    Mail inbox    http://localhost:$MAIL_UI_PORT
    Metrics       http://127.0.0.1:{$WORKER_METRICS_PORT,$((WORKER_METRICS_PORT + 1))}/metrics (workers), http://127.0.0.1:{$API_METRICS_PORT,$((API_METRICS_PORT + 1))}/metrics (APIs)
    Databases     PostgreSQL $PG_HOST:$PG_PORT: $PARCOURS_PG_DB, $TEMPORAL_DB, $TEMPORAL_VISIBILITY_DB

EOF
  wait -n "${PIDS[@]}" || true
  say "A component stopped; stopping the others"
}

# --- processes ------------------------------------------------------------------------------------

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  if [ "${#PIDS[@]}" -gt 0 ]; then
    say "Stopping"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}

# start NAME CMD...: runs CMD in the background, its output prefixed with [NAME]
start() {
  local name="$1"; shift
  "$@" > >(sed -u "s/^/[$name] /") 2>&1 &
  PIDS+=("$!")
}

wait_until() { # description, seconds, command...
  local what="$1" secs="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what did not come up within ${secs} s (see its output above)."
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || die "$what stopped (see its output above)."; done
    sleep 0.5
  done
}

run_server() {
  mkdir -p "$DEV_DIR"
  # Headless: the Web UI is run_ui_server's, which decodes payloads for ops signed in to the console.
  # shellcheck disable=SC2046 # the flags are meant to split
  exec_or_start temporal "$TEMPORAL_BIN" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --headless \
    --db-filename "$DEV_DIR/temporal.db" --log-level error $(search_attribute_flags)
}
# The Web UI server (deploy/temporal/ui/parcours.yaml, filled in to .dev/ui/): payloads decoded through
# the API's codec server, with the console's session cookie.
run_ui_server() {
  local dir="$DEV_DIR/ui"
  mkdir -p "$dir/config"
  sed -e "s/{{TEMPORAL_ADDRESS}}/$TEMPORAL_ADDRESS/g" -e "s/{{TEMPORAL_UI_PORT}}/$TEMPORAL_UI_PORT/g" -e "s#{{API_URL}}#$PUBLIC_BASE_URL#g" \
    "$ROOT/deploy/temporal/ui/parcours.yaml" > "$dir/config/parcours.yaml"
  exec_or_start ui "$TEMPORAL_UI_SERVER" --root "$dir" --env parcours start
}
run_mail() { exec_or_start mail maildev --smtp "$SMTP_PORT" --web "$MAIL_UI_PORT" --ip 127.0.0.1 --web-ip 127.0.0.1; }
run_worker() { exec_or_start worker env METRICS_ADDRESS="127.0.0.1:$WORKER_METRICS_PORT" node $WORKER_NODE_FLAGS dist/workers/main.js; }
run_relay() { exec_or_start relay node dist/workers/relayMain.js; }
run_api() { exec_or_start api env METRICS_ADDRESS="127.0.0.1:$API_METRICS_PORT" node dist/api/main.js; }

# A single component runs in the foreground; `up` starts each in the background.
FOREGROUND=1
exec_or_start() {
  local name="$1"; shift
  if [ "$FOREGROUND" = 1 ]; then exec "$@"; else start "$name" "$@"; fi
}

up() {
  require_free_port "$TEMPORAL_PORT" "Temporal gRPC" TEMPORAL_PORT
  require_free_port "$TEMPORAL_UI_PORT" "Temporal Web UI" TEMPORAL_UI_PORT
  require_free_port "$SMTP_PORT" "mail SMTP" SMTP_PORT
  require_free_port "$MAIL_UI_PORT" "mail inbox" MAIL_UI_PORT
  require_free_port "$API_PORT" "API" API_PORT
  require_free_port "$WORKER_METRICS_PORT" "worker metrics" WORKER_METRICS_PORT
  require_free_port "$API_METRICS_PORT" "API metrics" API_METRICS_PORT
  setup
  FOREGROUND=0
  trap stop_all EXIT
  trap 'exit 130' INT TERM
  say "Starting the Temporal dev server, its Web UI and the mail inbox"
  run_server
  run_mail
  wait_until "The Temporal server" 60 "$TEMPORAL_BIN" operator cluster health --address "$TEMPORAL_ADDRESS"
  register_search_attributes
  run_ui_server
  wait_until "The mail inbox" 30 port_in_use "$SMTP_PORT"
  say "Starting the worker, the mail relay and the API"
  run_worker
  run_relay
  run_api
  wait_until "The API" 60 curl -fsS "http://127.0.0.1:$API_PORT/health"
  cat <<EOF

  Parcours is running. Ctrl-C stops everything.

    API           http://localhost:$API_PORT
    API docs      http://localhost:$API_PORT/docs
    Temporal UI   $TEMPORAL_UI_URL
    Mail inbox    http://localhost:$MAIL_UI_PORT
    Metrics       http://127.0.0.1:$WORKER_METRICS_PORT/metrics (worker), http://127.0.0.1:$API_METRICS_PORT/metrics (API)

  Try:  curl -s -X POST http://localhost:$API_PORT/cases -H 'Content-Type: application/json' -d @docs/example-case.json

EOF
  # Stop everything as soon as one part dies, rather than leave a half-running system.
  wait -n "${PIDS[@]}" || true
  say "A component stopped; stopping the others"
}

run_tests() {
  setup
  say "Typecheck"
  npm run --silent typecheck
  say "Lint"
  npm run --silent lint
  say "Tests"
  TEMPORAL_CLI="$TEMPORAL_BIN" npx jest --runInBand
}

cmd="${1:-up}"
case "$cmd" in
  -h|--help|help) usage ;;
  up) up ;;
  setup) setup ;;
  test) run_tests ;;
  server) require_free_port "$TEMPORAL_PORT" "Temporal gRPC" TEMPORAL_PORT; setup; run_server ;;
  ui) require_free_port "$TEMPORAL_UI_PORT" "Temporal Web UI" TEMPORAL_UI_PORT; ui_binary; run_ui_server ;;
  mail) require_free_port "$SMTP_PORT" "mail SMTP" SMTP_PORT; install_node_modules; run_mail ;;
  worker) setup; run_worker ;;
  relay) setup; run_relay ;;
  api) require_free_port "$API_PORT" "API" API_PORT; setup; run_api ;;
  cluster) cluster ;;
  *) usage >&2; die "unknown command '$cmd'." ;;
esac
