#!/bin/bash
# Writes this node's cloud identity token to AWS_WEB_IDENTITY_TOKEN_FILE, where the AWS SDK's default
# credential chain reads it to assume AWS_ROLE_ARN (a read-only role on the S3 source this region
# mirrors from): keyless cross-cloud reads. Run as root by mirrorfs-aws-token.service, at boot before
# the mirrorfs units and then every 5 minutes (mirrorfs-aws-token.timer). GCP and Azure tokens live for
# an hour or more and the SDK re-reads the file whenever it renews its session, so the file always
# holds a token minutes old. A failed fetch leaves the previous token in place and fails the unit
# (journalctl -u mirrorfs-aws-token), so a short metadata-server outage is harmless.
# Plain shell on purpose (no Terraform interpolation): settings come from /etc/mirrorfs/node.env.
set -euo pipefail
# A failed metadata request inside $(...) must fail the run, not yield an empty token.
shopt -s inherit_errexit

readonly ENV_FILE=/etc/mirrorfs/node.env
readonly GCP_IDENTITY_URL=http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/identity
readonly AZURE_TOKEN_URL=http://169.254.169.254/metadata/identity/oauth2/token
# Bounds on each metadata request; the timer is the outer retry loop.
readonly CURL_SECONDS_MAX=10
readonly CURL_RETRIES_MAX=3
# A token that expires sooner than this is refused (the previous one stays): it could not last until
# the next run.
readonly TOKEN_SECONDS_LEFT_MIN=600
readonly TOKEN_BYTES_MAX=16384

# shellcheck source=/dev/null
. "$ENV_FILE"
: "${MIRRORFS_AWS_TOKEN_SOURCE:?missing in $ENV_FILE}"
: "${MIRRORFS_AWS_TOKEN_AUDIENCE:?missing in $ENV_FILE}"
: "${AWS_WEB_IDENTITY_TOKEN_FILE:?missing in $ENV_FILE}"

tmp_file=""
trap 'if [ -n "$tmp_file" ]; then rm -f "$tmp_file"; fi' EXIT

log() {
  echo "mirrorfs-aws-token: $*" >&2
}

metadata_get() {
  curl --fail --silent --show-error --get --max-time "$CURL_SECONDS_MAX" \
    --retry "$CURL_RETRIES_MAX" --retry-connrefused "$@"
}

# GCP: an OIDC identity token of the VM's service account (sub and azp: its unique id).
fetch_gcp() {
  metadata_get --header 'Metadata-Flavor: Google' \
    --data-urlencode "audience=$MIRRORFS_AWS_TOKEN_AUDIENCE" --data-urlencode 'format=full' \
    "$GCP_IDENTITY_URL"
}

# Azure: an Entra ID access token of the managed identity (sub: its object id) for the audience app.
fetch_azure() {
  local response
  local query=(--data-urlencode 'api-version=2018-02-01' --data-urlencode "resource=$MIRRORFS_AWS_TOKEN_AUDIENCE")
  if [ -n "${MIRRORFS_AWS_TOKEN_CLIENT_ID:-}" ]; then
    query+=(--data-urlencode "client_id=$MIRRORFS_AWS_TOKEN_CLIENT_ID")
  fi
  response=$(metadata_get --header 'Metadata: true' "${query[@]}" "$AZURE_TOKEN_URL")
  jq --raw-output --exit-status '.access_token | strings' <<<"$response"
}

# The token's exp claim (seconds since the epoch), from its base64url-encoded payload.
token_expiry() {
  local payload
  payload=$(cut -d. -f2 <<<"$1" | tr '_-' '/+')
  case $((${#payload} % 4)) in
    2) payload="$payload==" ;;
    3) payload="$payload=" ;;
  esac
  base64 --decode <<<"$payload" | jq --exit-status '.exp | numbers | floor'
}

write_atomically() {
  local token=$1 dir
  dir=$(dirname "$AWS_WEB_IDENTITY_TOKEN_FILE")
  # Readable by the mirrorfs services, writable by root only.
  install -d -m 0750 -o root -g mirrorfs "$dir"
  tmp_file=$(mktemp "$dir/.token.XXXXXX")
  printf '%s' "$token" >"$tmp_file"
  chgrp mirrorfs "$tmp_file"
  chmod 0640 "$tmp_file"
  # rename(2) in one directory: readers see the old token or the new one, never a partial file.
  mv -f "$tmp_file" "$AWS_WEB_IDENTITY_TOKEN_FILE"
  tmp_file=""
}

main() {
  local token expiry seconds_left
  case "$MIRRORFS_AWS_TOKEN_SOURCE" in
    gcp) token=$(fetch_gcp) ;;
    azure) token=$(fetch_azure) ;;
    *)
      log "unknown MIRRORFS_AWS_TOKEN_SOURCE '$MIRRORFS_AWS_TOKEN_SOURCE' (gcp or azure)"
      exit 1
      ;;
  esac
  if [ "${#token}" -gt "$TOKEN_BYTES_MAX" ] || ! [[ $token =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]]; then
    log "the metadata endpoint did not return a JWT; keeping the previous token"
    exit 1
  fi
  expiry=$(token_expiry "$token")
  seconds_left=$((expiry - $(date +%s)))
  if [ "$seconds_left" -lt "$TOKEN_SECONDS_LEFT_MIN" ]; then
    log "the new token expires in ${seconds_left}s (< ${TOKEN_SECONDS_LEFT_MIN}s); keeping the previous token"
    exit 1
  fi
  write_atomically "$token"
  log "wrote a $MIRRORFS_AWS_TOKEN_SOURCE token for ${AWS_ROLE_ARN:-the reader role}, valid $((seconds_left / 60)) more minutes"
}

main "$@"
