#!/usr/bin/env bash
# OpenSearch with the k-NN plugin, both Maven Central zips fetched by the Maven wrapper (so they are cached in the
# local Maven repository like every other artifact), on 127.0.0.1 as an unprivileged user, single node, 512 MB heap,
# on a JDK >= 21 (.mvn/find-jdk.sh: the integ-test zip bundles none). Only the Lucene k-NN engine works: the faiss
# engine needs native files that the Maven Central zip does not ship.
#
#   opensearch.sh install   unpacks OpenSearch and installs the plugin, once per checkout
#   opensearch.sh start     a fresh node on a free port; waits until it answers; prints one status line
#   opensearch.sh launch    starts the node without waiting (then: opensearch.sh wait)
#   opensearch.sh env       prints the export: JEMBED_TEST_OPENSEARCH=http://127.0.0.1:PORT
#   opensearch.sh stop      stops it and deletes its data
#
# The test node is small on purpose: 512 MB heap and the C1 compiler only (it boots in half the CPU time). That
# cripples indexing, since the k-NN plugin's Lucene engine builds its HNSW graphs inside the node's JVM. For a
# benchmark, start a node sized like a real one:
#   JEMBED_TEST_OPENSEARCH_HEAP=4g        the heap (-Xms and -Xmx; default 512m)
#   JEMBED_TEST_OPENSEARCH_FULL_JIT=1     the C2 optimizing compiler too (default: C1 only)
. "$(dirname "$0")/lib.sh"

OPENSEARCH_VERSION=3.5.0
KNN_VERSION=3.5.0.0
DISTRIBUTION=org.opensearch.distribution.integ-test-zip:opensearch:$OPENSEARCH_VERSION:zip
KNN_PLUGIN=org.opensearch.plugin:opensearch-knn:$KNN_VERSION:zip
INSTALL=$TS_HOME/opensearch-$OPENSEARCH_VERSION
DIR=$TS_RUN/opensearch
READY_TIMEOUT=${JEMBED_TEST_OPENSEARCH_TIMEOUT:-300}
HEAP=${JEMBED_TEST_OPENSEARCH_HEAP:-512m}
[[ $HEAP =~ ^[0-9]+[mMgG]$ ]] || ts_die "JEMBED_TEST_OPENSEARCH_HEAP must be a size like 512m or 4g, got '$HEAP'"

opensearch_jdk() { (. "$TS_ROOT/.mvn/find-jdk.sh" && echo "$JAVA_HOME"); }

# copies one Maven artifact into "$2" with the project's Maven wrapper
fetch() {
  (cd "$TS_ROOT" && ./mvnw -q -B -N dependency:copy -Dartifact="$1" -DoutputDirectory="$2") >>"$TS_HOME/opensearch-install.log" 2>&1 ||
    { tail -n 20 "$TS_HOME/opensearch-install.log" >&2; ts_die "could not fetch $1 from Maven Central"; }
}

cmd_install() {
  ts_prepare
  [ -f "$INSTALL/.installed" ] && return 0
  ts_apt_install unzip curl
  local start work
  start=$(date +%s.%N)
  work=$TS_HOME/opensearch-install
  ts_log "installing OpenSearch $OPENSEARCH_VERSION with k-NN $KNN_VERSION (Maven Central)"
  rm -rf "$work" "$INSTALL" "$TS_HOME/opensearch-install.log"
  mkdir -p "$work"
  fetch "$DISTRIBUTION" "$work"
  fetch "$KNN_PLUGIN" "$work"
  unzip -q "$work/opensearch-$OPENSEARCH_VERSION.zip" -d "$work"
  OPENSEARCH_JAVA_HOME=$(opensearch_jdk) "$work/opensearch-$OPENSEARCH_VERSION/bin/opensearch-plugin" install --batch \
    "file://$work/opensearch-knn-$KNN_VERSION.zip" >>"$TS_HOME/opensearch-install.log" 2>&1 ||
    { tail -n 20 "$TS_HOME/opensearch-install.log" >&2; ts_die "could not install the k-NN plugin"; }
  if [ "$(id -u)" = 0 ]; then chown -R "$TS_USER" "$work/opensearch-$OPENSEARCH_VERSION"; fi
  mv "$work/opensearch-$OPENSEARCH_VERSION" "$INSTALL"
  rm -rf "$work" "$TS_HOME/opensearch-install.log"
  touch "$INSTALL/.installed"
  ts_log "installed OpenSearch $OPENSEARCH_VERSION with k-NN in $(ts_since "$start") s"
}

# a fresh node: its own configuration (copied from the installation), data and logs under $DIR
cmd_launch() {
  cmd_install
  cmd_stop
  local port transport_port
  port=$(ts_free_port)
  transport_port=$(ts_free_port)
  while [ "$transport_port" = "$port" ]; do transport_port=$(ts_free_port); done
  mkdir -p "$DIR/data" "$DIR/logs"
  cp -r "$INSTALL/config" "$DIR/config"
  cat >>"$DIR/config/opensearch.yml" <<YML
network.host: 127.0.0.1
http.port: $port
transport.port: $transport_port
discovery.type: single-node
path.data: $DIR/data
path.logs: $DIR/logs
# throwaway data on a shared disk: never turn indices read-only when the disk fills up
cluster.routing.allocation.disk.threshold_enabled: false
YML
  sed -i "s/^-Xms1g/-Xms$HEAP/; s/^-Xmx1g/-Xmx$HEAP/; s|logs/gc.log|$DIR/logs/gc.log|; s|^-XX:HeapDumpPath=data|-XX:HeapDumpPath=$DIR/data|; s|^-XX:ErrorFile=logs/|-XX:ErrorFile=$DIR/logs/|" \
    "$DIR/config/jvm.options"
  printf '%s\n' -XX:-AlwaysPreTouch >>"$DIR/config/jvm.options"
  # a test node boots with half the CPU time and a third less memory on the C1 compiler alone
  [ "${JEMBED_TEST_OPENSEARCH_FULL_JIT:-0}" = 1 ] || echo -XX:TieredStopAtLevel=1 >>"$DIR/config/jvm.options"
  echo "export JEMBED_TEST_OPENSEARCH='http://127.0.0.1:$port'" >"$DIR/env"
  date +%s.%N >"$DIR/started"
  if [ "$(id -u)" = 0 ]; then chown -R "$TS_USER" "$DIR"; fi
  ts_as_user env OPENSEARCH_JAVA_HOME="$(opensearch_jdk)" OPENSEARCH_PATH_CONF="$DIR/config" \
    "$INSTALL/bin/opensearch" -d -p "$DIR/opensearch.pid" >"$DIR/launch.log" 2>&1 ||
    { tail -n 20 "$DIR/launch.log" >&2; ts_die "OpenSearch did not start"; }
}

cmd_wait() {
  [ -s "$DIR/env" ] || ts_die "OpenSearch was not launched: $0 start"
  local url
  url=$(sed -n "s/^export JEMBED_TEST_OPENSEARCH='\(.*\)'/\1/p" "$DIR/env")
  if ! ts_wait_until "$READY_TIMEOUT" curl -sf "$url/_cluster/health?wait_for_status=yellow&timeout=1s"; then
    tail -n 30 "$DIR/logs/opensearch.log" "$DIR/launch.log" >&2 2>/dev/null || true
    ts_die "OpenSearch did not answer at $url within $READY_TIMEOUT s"
  fi
  ts_log "OpenSearch $OPENSEARCH_VERSION + k-NN $KNN_VERSION on ${url#http://}, ready in $(ts_since "$(cat "$DIR/started")") s"
}

cmd_start() {
  cmd_launch
  cmd_wait
}

cmd_env() {
  [ -s "$DIR/env" ] || ts_die "OpenSearch is not running: $0 start"
  cat "$DIR/env"
}

cmd_stop() {
  ts_stop_pid "$DIR/opensearch.pid" 30
  rm -rf "$DIR"
}

case "${1-}" in
  install | start | launch | wait | env | stop) "cmd_$1" ;;
  *) echo "usage: $0 install|start|launch|wait|env|stop" >&2; exit 2 ;;
esac
