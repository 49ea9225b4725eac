#!/usr/bin/env bash
# Issue #2's metadata benchmark in one command: starts 3 metadata processes on loopback (fsync on,
# separate JVMs, data under a temporary folder), formats a volume, runs `mirrorfs bench meta` against
# them with the arguments given (default: 16 clients, 8 s per phase), and stops the processes it
# started — also when interrupted.
#   scripts/bench-meta.sh [BENCH-META-ARGS...]   e.g. --clients 1 --phases create --write-batch 1
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
source "$repo/scripts/jdk.sh"
java_home="$(mirrorfs_find_jdk)"
"$repo/mirrorfs" --help >/dev/null # builds the CLI if the sources changed

work="$(mktemp -d /tmp/mirrorfs-bench-meta.XXXXXX)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Each node uses its Raft port and the next one (admin and changelog gRPC).
base=$((20000 + RANDOM % 20000))
peers="n1=127.0.0.1:$base,n2=127.0.0.1:$((base + 2)),n3=127.0.0.1:$((base + 4))"
for id in n1 n2 n3; do
  "$java_home/bin/java" -ea:io.mirrorfs... --enable-native-access=ALL-UNNAMED \
    -cp "$repo/cli/target/classes:$repo/cli/target/lib/*" io.mirrorfs.meta.server.MetaServerMain \
    --id "$id" --peers "$peers" --data "$work/$id" >"$work/$id.log" 2>&1 &
  pids+=("$!")
done
echo "bench-meta: 3 metadata processes (${pids[*]}) at $peers; logs in $work" >&2

deadline=$((SECONDS + 60))
until "$repo/mirrorfs" format --meta "$peers" --volume bench >/dev/null 2>"$work/format.err"; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "bench-meta: the group did not accept a format within 60 s:" >&2
    cat "$work/format.err" >&2
    exit 1
  fi
  sleep 1 # polling the group until it has a leader
done

if [ "$#" -eq 0 ]; then
  set -- --clients 16 --seconds 8
fi
"$repo/mirrorfs" bench meta --meta "$peers" "$@"
