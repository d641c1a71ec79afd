#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver (never a browser downloaded by a test tool). There is no server to start:
# tests launch the browser (or ChromeDriver) themselves, headless, with the flags in DEVELOPERS.md.
#
#   chromium.sh install   installs the packages chromium and chromium-driver if missing
#   chromium.sh start     checks both run; prints one status line
#   chromium.sh env       prints the exports: JEMBED_TEST_CHROMIUM, JEMBED_TEST_CHROMEDRIVER
#   chromium.sh stop      nothing to stop
. "$(dirname "$0")/lib.sh"

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

cmd_install() { ts_apt_install chromium chromium-driver; }

cmd_start() {
  cmd_install
  local start browser driver
  start=$(date +%s.%N)
  browser=$("$CHROMIUM" --version 2>/dev/null) || ts_die "$CHROMIUM does not run"
  driver=$("$CHROMEDRIVER" --version 2>/dev/null) || ts_die "$CHROMEDRIVER does not run"
  ts_log "Chromium $(echo "$browser" | awk '{print $2}') and ChromeDriver $(echo "$driver" | awk '{print $2}') ($CHROMIUM, $CHROMEDRIVER), checked in $(ts_since "$start") s"
}

cmd_env() {
  echo "export JEMBED_TEST_CHROMIUM='$CHROMIUM'"
  echo "export JEMBED_TEST_CHROMEDRIVER='$CHROMEDRIVER'"
}

cmd_stop() { :; }

case "${1-}" in
  install | start | env | stop) "cmd_$1" ;;
  *) echo "usage: $0 install|start|env|stop" >&2; exit 2 ;;
esac
