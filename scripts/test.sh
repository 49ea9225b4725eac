#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then builds and runs
# every module's tests (real Ratis processes, real FUSE mounts, S3Proxy and Azurite on loopback).
# Extra arguments go to Maven, e.g. scripts/test.sh -pl meta-raft -Dtest=SomeTest
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$repo/scripts/install-deps.sh" test
cd "$repo"
exec mvn -B -Dstyle.color=never verify "$@"
