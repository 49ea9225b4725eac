#!/bin/bash
# Prepares a mirrorfs node on first boot and starts its service. Run by cloud-init (runcmd) as root.
# Plain shell on purpose (no Terraform interpolation): the file shellcheck checks is the file that
# runs. Everything node-specific comes from /etc/mirrorfs/node.env, written by cloud-init.
set -euo pipefail

readonly ENV_FILE=/etc/mirrorfs/node.env
readonly INSTALL_DIR=/opt/mirrorfs
# Cloud disks can attach a little after boot; wait for one, but not forever.
readonly DEVICE_WAIT_SECONDS_MAX=300

# shellcheck source=/dev/null
. "$ENV_FILE"
: "${MIRRORFS_SERVICE:?missing in $ENV_FILE}"
: "${MIRRORFS_PACKAGE_URL:?missing in $ENV_FILE}"
: "${MIRRORFS_PACKAGE_SHA256:?missing in $ENV_FILE}"
: "${MIRRORFS_DATA_DIR:?missing in $ENV_FILE}"

log() {
  echo "mirrorfs-bootstrap: $*" >&2
}

install_java() {
  # The CLI needs a JDK >= 21; install one from the distribution if none is there.
  if command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
    return
  fi
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-21-jre-headless curl
  elif command -v dnf >/dev/null 2>&1; then
    dnf install -y -q java-21-amazon-corretto-headless || dnf install -y -q java-21-openjdk-headless
  else
    log "no apt-get or dnf: install a JDK >= 21 in the image"
    exit 1
  fi
}

install_jq() {
  # mirrorfs-aws-token.sh reads the tokens' JSON with jq.
  command -v jq >/dev/null 2>&1 && return
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q jq
  elif command -v dnf >/dev/null 2>&1; then
    dnf install -y -q jq
  else
    log "no apt-get or dnf: install jq in the image"
    exit 1
  fi
}

# Nodes that read an S3 source from another cloud (node-bootstrap aws_web_identity): fetch the first
# token before the service starts, then keep it fresh with the timer.
start_token_refresh() {
  if [ -z "${MIRRORFS_AWS_TOKEN_SOURCE:-}" ]; then
    return
  fi
  install_jq
  systemctl enable mirrorfs-aws-token.service mirrorfs-aws-token.timer
  # A failure here is not fatal: the timer retries within 5 minutes, and the service retries its reads.
  systemctl start mirrorfs-aws-token.service || log "first AWS web identity token fetch failed; the timer retries"
  systemctl start mirrorfs-aws-token.timer
}

install_mirrorfs() {
  local archive
  archive=$(mktemp)
  curl --fail --silent --show-error --location --retry 5 --output "$archive" "$MIRRORFS_PACKAGE_URL"
  # A tampered or truncated package must not run with the node's credentials.
  echo "$MIRRORFS_PACKAGE_SHA256  $archive" | sha256sum --check --status
  mkdir -p "$INSTALL_DIR"
  tar -xzf "$archive" -C "$INSTALL_DIR" --strip-components=1
  rm -f "$archive"
}

mount_data_disk() {
  local device=${MIRRORFS_DATA_DEVICE:-}
  mkdir -p "$MIRRORFS_DATA_DIR"
  if [ -z "$device" ]; then
    log "no data disk configured; using the root disk for $MIRRORFS_DATA_DIR"
    return
  fi
  local waited=0
  until [ -b "$device" ]; do
    if [ "$waited" -ge "$DEVICE_WAIT_SECONDS_MAX" ]; then
      log "data disk $device did not appear within ${DEVICE_WAIT_SECONDS_MAX}s"
      exit 1
    fi
    sleep 5
    waited=$((waited + 5))
  done
  # Format only a blank disk: a reboot or re-run must never wipe the Raft log and RocksDB.
  if ! blkid "$device" >/dev/null 2>&1; then
    mkfs.ext4 -q -L mirrorfs-data "$device"
  fi
  if ! grep -q "LABEL=mirrorfs-data" /etc/fstab; then
    echo "LABEL=mirrorfs-data $MIRRORFS_DATA_DIR ext4 defaults,noatime,nofail 0 2" >>/etc/fstab
  fi
  mount "$MIRRORFS_DATA_DIR" 2>/dev/null || mountpoint -q "$MIRRORFS_DATA_DIR"
}

main() {
  install_java
  install_mirrorfs
  mount_data_disk
  id mirrorfs >/dev/null 2>&1 || useradd --system --home-dir "$MIRRORFS_DATA_DIR" --shell /usr/sbin/nologin mirrorfs
  chown -R mirrorfs:mirrorfs "$MIRRORFS_DATA_DIR"
  chgrp -R mirrorfs /etc/mirrorfs
  systemctl daemon-reload
  start_token_refresh
  systemctl enable --now "mirrorfs-${MIRRORFS_SERVICE}.service"
  log "started mirrorfs-${MIRRORFS_SERVICE}"
}

main "$@"
