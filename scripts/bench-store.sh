#!/usr/bin/env bash
# Object store benchmark: put/get of 4 MiB blocks and 64 KiB objects against S3Proxy on loopback,
# the AWS SDK client side by side with plain curl. Prints a table.
#   scripts/bench-store.sh [BLOCKS_4MIB] [OBJECTS_64KIB]      (defaults 48 500)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/jdk.sh"
java_home="$(mirrorfs_find_jdk)"
cd "$repo"
mvn -q -B -Dstyle.color=never -DskipTests install -pl api,cloud-adapters
mvn -q -B -Dstyle.color=never -pl cloud-adapters test-compile
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -q -B -Dstyle.color=never -pl cloud-adapters dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
cd cloud-adapters
"$java_home/bin/java" -Xmx1500m -cp "target/test-classes:target/classes:$(cat "$cp_file")" \
  io.mirrorfs.store.bench.StoreBench "${1:-48}" "${2:-500}"
