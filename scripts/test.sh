#!/usr/bin/env bash
# Runs every test of the repository, from a fresh clone, as CI does (`.ci/run` calls exactly this).
# It installs and starts what the tests need, and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIGURATION="${CONFIGURATION:-Release}"
LOG_DIR="${LOG_DIR:-artifacts/test-logs}"
mkdir -p "$LOG_DIR"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the tests use (reference data generation is not needed: it is committed).
need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
# The time-zone tests cross-check against the IANA database in /usr/share/zoneinfo.
[ -f /usr/share/zoneinfo/Europe/Athens ] || need_apt+=(tzdata)
# Terminus Font: the bus-stop display's glyph tables are regenerated from it and compared (FontTableTests).
[ -e /usr/share/fonts/X11/misc/ter-u16b_unicode.pcf.gz ] || need_apt+=(xfonts-terminus)
# Mosquitto: the node integration tests start their own broker on a free port (never the Debian service).
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || need_apt+=(mosquitto)
# The gateway tests drive the embedded broker with mosquitto_pub/mosquitto_sub; the benchmark also runs mosquitto.
command -v mosquitto_pub >/dev/null || need_apt+=(mosquitto-clients)
# DejaVu Sans: the font `edge node label` sets the pole labels' text in (PDF), and the label tests read.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
# PostgreSQL: the cloud storage suite runs against a real server (Edge.Cloud.Tests).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
# Chromium: the console's browser tests drive Debian's build with Playwright (its own browser download is not reachable).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
fi
# The tests never use the Debian mosquitto service; where systemd started it on install, stop it.
if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto 2>/dev/null; then
  systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi

# A throwaway PostgreSQL cluster for Edge.Cloud.Tests: a temp dir, a free port, trust auth on 127.0.0.1
# only, no fsync (test data); its connection string goes to the tests as EDGE_TEST_POSTGRES. Stopped and
# removed when this script exits.
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
PG_DIR="$(mktemp -d /tmp/edge-test-pg.XXXXXX)"
as_postgres=()
if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; as_postgres=(runuser -u postgres --); fi
# Run as the postgres user from a directory it may enter (a root-only clone folder would draw warnings).
as_pg() { (cd "$PG_DIR" && "${as_postgres[@]}" "$@"); }
stop_postgres() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust >"$PG_DIR/initdb.log"
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
  -o "-p $PG_PORT -h 127.0.0.1 -k $PG_DIR -F" start >/dev/null
export EDGE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"

# One build of everything, warnings as errors: this also compiles the firmware core against the real
# nanoFramework mscorlib and the facades, so an API nanoFramework lacks fails here.
dotnet build Edge.sln -c "$CONFIGURATION" -nologo -clp:ErrorsOnly

status=0
# Test assemblies run one after another (-m:1): several start brokers, gateways and databases on free
# loopback ports, and two assemblies racing for the same "free" port would make a flaky run.
# A test that hangs fails the run (with a dump in its TestResults) instead of holding CI until its limit.
dotnet test Edge.sln -c "$CONFIGURATION" --no-build -nologo -m:1 --blame-hang-timeout 15m 2>&1 | tee "$LOG_DIR/dotnet-test.log" || status=$?

# One closing line for the whole run, summed over the test assemblies.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1)
       }
     }
     END { gsub(/,/, "", f); printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$LOG_DIR/dotnet-test.log"
exit "$status"
