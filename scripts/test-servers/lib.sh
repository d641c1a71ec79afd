# Sourced by the test-server scripts: where things live, who runs the servers, packages, ports, waiting.
#
# TS_HOME  what is kept between runs (the unpacked OpenSearch) and the install logs, one folder per checkout,
#          under /tmp so that the unprivileged user the servers run as can reach it whatever the checkout's path
#          (JEMBED_TEST_SERVERS_HOME)
# TS_RUN   the running servers' data, ports and logs; thrown away by `stop`
#          (JEMBED_TEST_SERVERS_RUN; ./test-all gives each run its own)
# TS_USER  the unprivileged user the servers run as when this runs as root (PostgreSQL and OpenSearch both refuse
#          root): jembed-test (JEMBED_TEST_SERVERS_USER); otherwise the current user
set -euo pipefail

TS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TS_HOME=${JEMBED_TEST_SERVERS_HOME:-/tmp/jembed-test-servers-$(id -u)-$(printf %s "$TS_ROOT" | cksum | cut -d' ' -f1)}
TS_RUN=${JEMBED_TEST_SERVERS_RUN:-$TS_HOME/run}
if [ "$(id -u)" = 0 ]; then TS_USER=${JEMBED_TEST_SERVERS_USER:-jembed-test}; else TS_USER=$(id -un); fi

ts_log() { echo "test-servers: $*" >&2; }
ts_die() { ts_log "$*"; exit 1; }

# seconds since "$1" (a `date +%s.%N`), with one decimal
ts_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

ts_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else ts_die "installing needs root (or password-less sudo): $*"
  fi
}

# runs a command as the servers' user, from / (the checkout may be out of its reach)
ts_as_user() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$TS_USER" -- "$@"); else "$@"; fi
}

# the folders, owned by the servers' user; as root, that user is made once (a system user without a login)
ts_prepare() {
  if [ "$(id -u)" = 0 ] && ! getent passwd "$TS_USER" >/dev/null; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$TS_USER"
  fi
  mkdir -p "$TS_HOME" "$TS_RUN"
  chmod 755 "$TS_HOME"
  if [ "$(id -u)" = 0 ]; then chown "$TS_USER" "$TS_RUN"; fi
  ts_as_user test -w "$TS_RUN" || ts_die "$TS_USER cannot write to $TS_RUN: set JEMBED_TEST_SERVERS_HOME to a folder it can reach"
}

# installs the Debian packages among "$@" that are missing; refreshes the package lists first when they are
# older than a day (a fresh machine's are), and once more if the install still fails
ts_apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
  done
  [ ${#missing[@]} = 0 ] && return 0
  local start log="$TS_HOME/apt.log"
  start=$(date +%s.%N)
  mkdir -p "$TS_HOME"
  ts_log "installing ${missing[*]} (apt-get)"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
    ts_as_root apt-get update -q >"$log" 2>&1 || { tail -n 20 "$log" >&2; ts_die "apt-get update failed"; }
  fi
  if ! ts_as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >>"$log" 2>&1; then
    ts_as_root apt-get update -q >>"$log" 2>&1 || true
    ts_as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >>"$log" 2>&1 ||
      { tail -n 20 "$log" >&2; ts_die "apt-get install ${missing[*]} failed (log: $log)"; }
  fi
  ts_log "installed ${missing[*]} in $(ts_since "$start") s"
}

# a TCP port nobody listens on (listening sockets: state 0A in /proc/net/tcp*, ports in hexadecimal)
ts_free_port() {
  local used port
  used=$(awk '$4 == "0A" { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    grep -qx "$(printf %04X "$port")" <<<"$used" || { echo "$port"; return 0; }
  done
  ts_die "found no free port"
}

# polls "$@" every half second until it succeeds or "$1" seconds have passed
ts_wait_until() {
  local timeout=$1 deadline
  shift
  deadline=$(($(date +%s) + timeout))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# stops the process in pid file "$1": TERM, then KILL after "$2" seconds
ts_stop_pid() {
  local pidfile=$1 grace=$2 pid
  [ -s "$pidfile" ] || return 0
  pid=$(head -n 1 "$pidfile")
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  ts_wait_until "$grace" sh -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
}
