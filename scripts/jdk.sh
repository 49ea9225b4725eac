# shellcheck shell=bash
# Sourced by the launcher and scripts: prints the home of an installed JDK >= 21.
mirrorfs_jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1
}
mirrorfs_find_jdk() {
  local candidate best="" best_major=0 major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    if [ -z "$candidate" ] || [ ! -x "$candidate/bin/java" ]; then continue; fi
    major="$(mirrorfs_jdk_major "$candidate")"
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "mirrorfs: no JDK >= 21 found (looked at JAVA_HOME and /usr/lib/jvm); install one, e.g. apt-get install openjdk-21-jdk" >&2
    return 1
  fi
  echo "$best"
}
