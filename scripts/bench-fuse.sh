#!/usr/bin/env bash
# FUSE data-path benchmark: sequential write, cold read, warm read of one large file (1 MiB blocks)
# and create+write+close of many small files — by one writer, by one writer with an fsync per file
# (what a durable close costs everywhere), and by 8 writers at once — on (a) a raw directory, (b) bindfs over it, and
# (c) mirrorfs (`mirrorfs up` on a fresh data folder). Prints MB/s (files/s for small files) and
# the ratios mirrorfs/bindfs, the load average, and mirrorfs's metadata round trips per kind.
# mirrorfs runs as `mirrorfs up`: a one-node Ratis group with fsync on, as users run it.
# Needs root (drop_caches), bindfs, python3. MIRRORFS_CMD overrides the launcher (e.g. a plain
# `java -cp cli/target/classes:cli/target/lib/* io.mirrorfs.cli.MirrorfsCli` wrapper).
#   usage: scripts/bench-fuse.sh [SIZE_MIB (2048)] [FILES (10000)]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size_mib="${1:-2048}"
files="${2:-10000}"
work="$(mktemp -d /tmp/mirrorfs-bench.XXXXXX)"
raw="$work/raw"; bind="$work/bind"; data="$work/mirrorfs-data"; mnt="$work/mnt"
mkdir -p "$raw" "$bind" "$mnt"
up_pid=""
cleanup() {
  fusermount -u -z "$bind" 2>/dev/null || true
  if [ -n "$up_pid" ] && kill -0 "$up_pid" 2>/dev/null; then
    kill -TERM "$up_pid"; wait "$up_pid" 2>/dev/null || true
  fi
  fusermount -u -z "$mnt/primary" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

bindfs "$raw" "$bind"
"${MIRRORFS_CMD:-$repo/mirrorfs}" up --data "$data" --mount "$mnt" >"$work/up.out" 2>"$work/up.err" &
up_pid=$!
for _ in $(seq 1 600); do grep -q "mounted at" "$work/up.out" 2>/dev/null && break; sleep 0.2; done
grep -q "mounted at" "$work/up.out" || { echo "mirrorfs up did not mount:"; tail -20 "$work/up.err"; exit 1; }
mirror="$mnt/primary"

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
mbps() { python3 -c "import sys; print(f'{$1/$2:.0f}')"; }
seconds() { python3 -c "import time; print(time.monotonic())"; }
timed() { local t0 t1; t0=$(seconds); "$@" >/dev/null 2>&1; t1=$(seconds); python3 -c "print($t1-$t0)"; }

# small_files DIR MODE: MODE is plain (one writer), fsync (one writer, fsync before each close) or
# parallel (8 writer processes sharing the files).
small_files() {
  python3 - "$1" "$files" "$2" <<'PY'
import os, sys
from multiprocessing import Pool
d, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(d, exist_ok=True)
blob = os.urandom(64 * 1024)
def write(i):
    with open(os.path.join(d, f"f{i:06d}"), "wb") as f:
        f.write(blob)
        if mode == "fsync":
            f.flush()
            os.fsync(f.fileno())
if mode == "parallel":
    with Pool(8) as pool:
        pool.map(write, range(n), chunksize=16)
else:
    for i in range(n):
        write(i)
PY
}

declare -A R
for target in raw bind mirror; do

  [ "$target" = bind ] && dir="$bind"
  [ "$target" = raw ] && dir="$raw"
  [ "$target" = mirror ] && dir="$mirror"
  t=$(timed dd if=/dev/zero of="$dir/big" bs=1M count="$size_mib" conv=fsync)
  R[$target,write]=$(mbps "$size_mib*1.048576" "$t")
  drop
  t=$(timed dd if="$dir/big" of=/dev/null bs=1M)
  R[$target,cold]=$(mbps "$size_mib*1.048576" "$t")
  t=$(timed dd if="$dir/big" of=/dev/null bs=1M)
  R[$target,warm]=$(mbps "$size_mib*1.048576" "$t")
  rm -f "$dir/big"
  for mode in plain fsync parallel; do
    t=$(timed small_files "$dir/small-$mode" "$mode")
    R[$target,$mode]=$(python3 -c "print(f'{$files/$t:.0f}')")
  done
done

# Stop mirrorfs now: on exit it logs how many metadata round trips of each kind it made and their
# average latency, which says where the small files' time went.
kill -TERM "$up_pid"; wait "$up_pid" 2>/dev/null || true; up_pid=""

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
printf "%-22s %10s %10s %10s %16s\n" "test (${size_mib} MiB, ${files} files)" raw bindfs mirrorfs "mirrorfs/bindfs"
for k in write cold warm; do
  printf "%-22s %10s %10s %10s %16s\n" "seq $k MB/s" "${R[raw,$k]}" "${R[bind,$k]}" "${R[mirror,$k]}" "$(ratio "${R[mirror,$k]}" "${R[bind,$k]}")"
done
for k in plain fsync parallel; do
  label="64KiB files/s"
  [ "$k" = fsync ] && label="64KiB files/s, fsync"
  [ "$k" = parallel ] && label="64KiB files/s, 8 wr"
  printf "%-22s %10s %10s %10s %16s\n" "$label" "${R[raw,$k]}" "${R[bind,$k]}" "${R[mirror,$k]}" "$(ratio "${R[mirror,$k]}" "${R[bind,$k]}")"
done
echo "mirrorfs metadata round trips (kind, calls, average and total latency):"
grep -o 'metadata round trips of this mount: .*' "$work/up.err" | sed 's/; /\n  /g; s/^/  /' || echo "  (none logged)"
