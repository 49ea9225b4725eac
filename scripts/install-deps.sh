#!/usr/bin/env bash
# Installs what mirrorfs needs on a fresh Debian machine, and nothing that is already there.
#   install-deps.sh runtime   FUSE libraries for `mirrorfs up` / `mirrorfs mount`
#   install-deps.sh test      everything the test suite uses (FUSE, real tools, Azurite, a Docker engine)
# Idempotent; needs root (or passwordless sudo) only when something is missing.
set -euo pipefail
what="${1:-test}"

debian_runtime=(fuse3 libfuse2)
# openssl: throwaway certificates for the TLS tests; iproute2 (ss) and iptables: the chaos nemeses.
debian_test=(fuse3 libfuse2 bindfs rsync sqlite3 git tar maven shellcheck util-linux openssl iproute2 iptables)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "install-deps: need root to run: $*" >&2; return 1; fi
}

missing_debian() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

install_debian() {
  local missing
  missing=$(missing_debian "$@")
  [ -z "$missing" ] && return 0
  echo "install-deps: installing Debian packages: $missing" >&2
  as_root apt-get update -qq
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
}

# HashiCorp's HCL parser (npm) for the Terraform module checks; pinned by the lockfile beside it.
install_hcl_parser() {
  local tools
  tools="$(cd "$(dirname "${BASH_SOURCE[0]}")/../deploy/terraform/.tools" && pwd)"
  if [ -d "$tools/node_modules/@cdktf/hcl2json" ]; then return 0; fi
  echo "install-deps: installing @cdktf/hcl2json for the Terraform checks" >&2
  npm ci --prefix "$tools" --no-audit --no-fund >&2
}

install_azurite() {
  if command -v azurite-blob >/dev/null 2>&1; then return 0; fi
  echo "install-deps: installing Azurite (npm) for the Azure Blob contract test" >&2
  as_root npm install -g --no-audit --no-fund azurite >&2
}

case "$what" in
  runtime) install_debian "${debian_runtime[@]}" ;;
  test)
    install_debian "${debian_test[@]}"
    install_azurite
    install_hcl_parser
    # The chaos tests run metadata nodes in containers: a local Docker engine, no registry.
    as_root "$(dirname "${BASH_SOURCE[0]}")/docker-engine.sh"
    ;;
  *) echo "usage: install-deps.sh runtime|test" >&2; exit 2 ;;
esac
