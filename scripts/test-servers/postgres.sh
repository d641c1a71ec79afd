#!/usr/bin/env bash
# PostgreSQL 15 from Debian with pgvector 0.8, built from Debian's own source package of the next release
# (bookworm ships none), on 127.0.0.1 as an unprivileged user, data in a throwaway folder.
#
#   postgres.sh install   installs what is missing (Debian packages; pgvector's build: about 40 s, once)
#   postgres.sh start     installs what is missing, then a fresh cluster on a free port; one status line
#   postgres.sh env       prints the exports: JEMBED_TEST_POSTGRES=postgresql://jembed@127.0.0.1:PORT/jembed, PGPASSWORD
#   postgres.sh stop      stops it and deletes its data
. "$(dirname "$0")/lib.sh"

PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PGVECTOR_MIN=0.8
PGVECTOR_SOURCE_SUITE=trixie
DIR=$TS_RUN/postgres

pgvector_version() {
  sed -n "s/^default_version = '\(.*\)'/\1/p" "/usr/share/postgresql/$PG_MAJOR/extension/vector.control" 2>/dev/null || true
}

# the Debian mirror this machine's apt already uses for its own release
debian_mirror() {
  local codename
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  {
    awk -v want="$codename" '
      FNR == 1 || /^[[:space:]]*$/ { if (uri != "" && hit) print uri; uri = ""; hit = 0 }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == want) hit = 1 }
      END { if (uri != "" && hit) print uri }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed 's/\[[^]]*\]//' |
      awk -v want="$codename" '$1 == "deb" && $3 == want { print $2 }' || true
  } | head -n 1
}

# `apt-get source pgvector` from the next release through a private package list (the machine's is untouched),
# then make + make install against this PostgreSQL
build_pgvector() {
  local start mirror apt work log
  start=$(date +%s.%N)
  work=$TS_HOME/pgvector-build
  log=$TS_HOME/pgvector-build.log
  rm -rf "$work"
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  mirror=$(debian_mirror)
  [ -n "$mirror" ] || ts_die "found no Debian mirror in /etc/apt/sources.list*"
  echo "deb-src $mirror $PGVECTOR_SOURCE_SUITE main" >"$work/sources.list"
  apt=(apt-get -q -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
  ts_log "building pgvector from Debian $PGVECTOR_SOURCE_SUITE's source package"
  (
    cd "$work"
    "${apt[@]}" update
    "${apt[@]}" source pgvector
    cd pgvector-*/
    make with_llvm=no PG_CONFIG="$PG_BIN/pg_config"
    ts_as_root make install with_llvm=no PG_CONFIG="$PG_BIN/pg_config"
  ) >"$log" 2>&1 || { tail -n 20 "$log" >&2; ts_die "pgvector's build failed (log: $log)"; }
  rm -rf "$work" "$log"
  ts_log "installed pgvector $(pgvector_version) in $(ts_since "$start") s"
}

cmd_install() {
  ts_prepare
  ts_apt_install "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" make gcc dpkg-dev
  local have
  have=$(pgvector_version)
  if [ -z "$have" ] || [ "$(printf '%s\n' "$PGVECTOR_MIN" "$have" | sort -V | head -n 1)" != "$PGVECTOR_MIN" ]; then
    build_pgvector
  fi
}

cmd_start() {
  cmd_install
  cmd_stop
  local start port password
  start=$(date +%s.%N)
  port=$(ts_free_port)
  password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  mkdir -p "$DIR"
  printf '%s\n' "$password" >"$DIR/password"
  chmod 600 "$DIR/password"
  if [ "$(id -u)" = 0 ]; then chown -R "$TS_USER" "$DIR"; fi
  ts_as_user "$PG_BIN/initdb" -D "$DIR/data" -U jembed --pwfile="$DIR/password" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C --no-sync >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; ts_die "initdb failed"; }
  # throwaway data: durability off, loopback only, the socket beside the data
  cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  ts_as_user "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 start >/dev/null ||
    { tail -n 20 "$DIR/postgres.log" >&2; ts_die "PostgreSQL did not start"; }
  PGPASSWORD=$password "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U jembed jembed
  cat >"$DIR/env" <<ENV
export JEMBED_TEST_POSTGRES='postgresql://jembed@127.0.0.1:$port/jembed'
export PGPASSWORD='$password'
ENV
  ts_log "PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}') + pgvector $(pgvector_version) on 127.0.0.1:$port, ready in $(ts_since "$start") s"
}

cmd_env() {
  [ -s "$DIR/env" ] || ts_die "PostgreSQL is not running: $0 start"
  cat "$DIR/env"
}

cmd_stop() {
  if [ -s "$DIR/data/postmaster.pid" ]; then
    ts_as_user "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 ||
      ts_stop_pid "$DIR/data/postmaster.pid" 10
  fi
  rm -rf "$DIR"
}

case "${1-}" in
  install | start | env | stop) "cmd_$1" ;;
  *) echo "usage: $0 install|start|env|stop" >&2; exit 2 ;;
esac
