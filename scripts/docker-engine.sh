#!/usr/bin/env bash
# Makes a local Docker engine available for the chaos tests (DESIGN §8): installs Debian's docker.io
# if dockerd is missing, starts dockerd if it is not answering, and waits (with a deadline) until the
# socket answers. Idempotent: safe to call from every test set-up. Needs root.
# No registry is used: the chaos tests build their image locally (docker import of an empty tar).
#   usage: scripts/docker-engine.sh [DEADLINE_SECONDS (60)]
# The engine is left running on purpose (later runs reuse it); its log is /var/log/mirrorfs-dockerd.log.
set -euo pipefail
deadline_seconds="${1:-60}"
log=/var/log/mirrorfs-dockerd.log

if [ "$(id -u)" != 0 ]; then
  echo "docker-engine.sh: needs root (installs packages, starts dockerd)" >&2
  exit 1
fi

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if engine_answers; then
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # iproute2: ss for the latency nemesis (netem is absent from some kernels); iptables: partitions, REDIRECT.
  apt-get install -y -qq docker.io iproute2 iptables >/dev/null
fi
if ! command -v docker >/dev/null 2>&1; then
  echo "docker-engine.sh: docker CLI missing after installing docker.io" >&2
  exit 1
fi

# Start dockerd only if no dockerd process is already starting up (a concurrent caller).
if ! pgrep -x dockerd >/dev/null 2>&1; then
  nohup dockerd >>"$log" 2>&1 </dev/null &
fi

end=$((SECONDS + deadline_seconds))
until engine_answers; do
  if [ "$SECONDS" -ge "$end" ]; then
    echo "docker-engine.sh: dockerd did not answer within ${deadline_seconds}s; last log lines:" >&2
    tail -20 "$log" >&2 || true
    exit 1
  fi
  sleep 0.5
done
echo "docker engine $(docker version --format '{{.Server.Version}}') ready"
