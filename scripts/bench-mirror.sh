#!/usr/bin/env bash
# Mirror-region benchmark (issue #5's targets): `mirrorfs bench mirror` runs a primary and a mirror
# region in one JVM on a temporary folder (deleted at the end), injects a one-way delay between them
# (the mirror's changelog stream, the sync service's reads of the primary's store, and the
# linearizable reads' probe of the primary all cross it), puts a paced write load on the primary
# and prints metadata lag, data watermark lag and linearizable mirror reads, every 5 s and at the end.
# Runs the already built CLI classes directly (as the `mirrorfs` launcher does, without its rebuild
# check); MIRRORFS_CMD overrides the command (e.g. "$repo/mirrorfs" to build first).
#   usage: scripts/bench-mirror.sh [bench mirror options: --seconds 30 --delay-ms 50 --writers 4
#          --block-mib 4 --bandwidth-mib 32 --write-mib 16 --meta-ops 100 --readers 8 --data DIR]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${MIRRORFS_CMD:-}" ]; then
  # shellcheck disable=SC2086
  exec $MIRRORFS_CMD bench mirror "$@"
fi
# shellcheck source=scripts/jdk.sh
source "$repo/scripts/jdk.sh"
java_home="$(mirrorfs_find_jdk)"
if [ ! -d "$repo/cli/target/classes" ] || [ ! -d "$repo/cli/target/lib" ]; then
  echo "bench-mirror: build the CLI first (mvn -q -B -DskipTests package, or run ./mirrorfs once)" >&2
  exit 2
fi
jvm_flags=(-ea:io.mirrorfs... --enable-native-access=ALL-UNNAMED)
if [ "$(mirrorfs_jdk_major "$java_home")" -ge 23 ]; then
  jvm_flags+=(--sun-misc-unsafe-memory-access=allow)
fi
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
status=0
# MIRRORFS_JAVA_OPTS is split into words on purpose (several JVM options in one variable).
# shellcheck disable=SC2086
"$java_home/bin/java" "${jvm_flags[@]}" ${MIRRORFS_JAVA_OPTS:-} \
  -cp "$repo/cli/target/classes:$repo/cli/target/lib/*" io.mirrorfs.cli.MirrorfsCli bench mirror "$@" || status=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
