#!/usr/bin/env bash
# Every test server at once (what ./test-all uses): PostgreSQL + pgvector, OpenSearch + k-NN, Chromium.
#
#   all.sh install   installs what is missing (fast when nothing is)
#   all.sh start     starts them on 127.0.0.1 (OpenSearch boots while PostgreSQL starts); one status line each
#   all.sh env       prints their exports: eval "$(scripts/test-servers/all.sh env)"
#   all.sh stop      stops them and deletes their data
set -euo pipefail
here=$(dirname "$0")

case "${1-}" in
  install)
    "$here/postgres.sh" install
    "$here/chromium.sh" install
    "$here/opensearch.sh" install
    ;;
  start)
    "$here/opensearch.sh" launch
    "$here/postgres.sh" start
    "$here/chromium.sh" start
    "$here/opensearch.sh" wait
    ;;
  env)
    for server in postgres opensearch chromium; do "$here/$server.sh" env; done
    ;;
  stop)
    status=0
    for server in postgres opensearch chromium; do "$here/$server.sh" stop || status=1; done
    exit $status
    ;;
  *) echo "usage: $0 install|start|env|stop" >&2; exit 2 ;;
esac
