# Sourced by ./mvnw and ./jembed: sets JAVA_HOME to a JDK >= 21 when the current one is older.
# Order: JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm (or JEMBED_JVM_DIR).
jembed_java_major() {
  # prints the feature version of "$1/bin/java" (17, 21, 25 ...) or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
jembed_find_jdk() {
  if [ -n "${JAVA_HOME-}" ]; then
    v=$(jembed_java_major "$JAVA_HOME")
    [ -n "$v" ] && [ "$v" -ge 21 ] && return 0
  fi
  best="" best_v=0
  for d in "${JEMBED_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -L "$d" ] && continue
    v=$(jembed_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$d" best_v="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "jembed needs a JDK 21 or newer: set JAVA_HOME to one (none found under ${JEMBED_JVM_DIR:-/usr/lib/jvm})." >&2
    exit 1
  fi
  JAVA_HOME="$best"
  export JAVA_HOME
}
jembed_find_jdk
