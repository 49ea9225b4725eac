# Cloud-neutral first-boot configuration of one mirrorfs node: the region modules for AWS, GCP and
# Azure all call this module, so every cloud runs the same scripts and units.

locals {
  data_dir = "/var/lib/mirrorfs"

  # Cross-cloud reads of an S3 source (aws_web_identity): the AWS SDK's default credential chain
  # assumes AWS_ROLE_ARN with the token in AWS_WEB_IDENTITY_TOKEN_FILE, which mirrorfs-aws-token.sh
  # (run by a timer) keeps fresh from this cloud's metadata endpoint. /run: the token never hits disk.
  web_identity = var.aws_web_identity != null
  token_file   = "/run/mirrorfs/aws-web-identity-token"
  web_identity_env = local.web_identity ? [
    "AWS_ROLE_ARN=${var.aws_web_identity.role_arn}",
    "AWS_WEB_IDENTITY_TOKEN_FILE=${local.token_file}",
    "AWS_ROLE_SESSION_NAME=${substr(join("-", compact(["mirrorfs", var.region_name, var.service, var.node_id])), 0, 64)}",
    # STS's region; without it the SDK probes EC2's instance metadata, which is not there.
    "AWS_REGION=${var.aws_web_identity.sts_region}",
    "MIRRORFS_AWS_TOKEN_SOURCE=${var.aws_web_identity.token_source}",
    "MIRRORFS_AWS_TOKEN_AUDIENCE=${var.aws_web_identity.audience}",
    "MIRRORFS_AWS_TOKEN_CLIENT_ID=${var.aws_web_identity.azure_client_id}",
  ] : []

  # KEY=value lines read by the bootstrap script and by the systemd units (EnvironmentFile).
  node_env = join("\n", concat([
    "MIRRORFS_SERVICE=${var.service}",
    "MIRRORFS_REGION=${var.region_name}",
    "MIRRORFS_NODE_ID=${var.node_id}",
    "MIRRORFS_PEERS=${var.meta_peers}",
    "MIRRORFS_DATA_DIR=${local.data_dir}",
    "MIRRORFS_DATA_DEVICE=${var.data_disk_device}",
    "MIRRORFS_PACKAGE_URL=${var.mirrorfs_package_url}",
    "MIRRORFS_PACKAGE_SHA256=${var.mirrorfs_package_sha256}",
    # The units pass `--tls-dir /etc/mirrorfs/tls` (mutual TLS on every mirrorfs channel); these name
    # the same files for scripts and operators.
    "MIRRORFS_TLS_CA_FILE=/etc/mirrorfs/tls/ca.pem",
    "MIRRORFS_TLS_CERT_FILE=/etc/mirrorfs/tls/node.pem",
    "MIRRORFS_TLS_KEY_FILE=/etc/mirrorfs/tls/node.key",
  ], local.web_identity_env, [""]))

  common_files = [
    { path = "/etc/mirrorfs/node.env", permissions = "0640", content = local.node_env },
    { path = "/etc/mirrorfs/tls/ca.pem", permissions = "0644", content = var.tls_ca_pem },
    { path = "/etc/mirrorfs/tls/node.pem", permissions = "0644", content = var.tls_cert_pem },
    { path = "/etc/mirrorfs/tls/node.key", permissions = "0640", content = var.tls_key_pem },
    { path = "/usr/local/sbin/mirrorfs-bootstrap.sh", permissions = "0755", content = file("${path.module}/templates/mirrorfs-bootstrap.sh") },
    { path = "/etc/systemd/system/mirrorfs-${var.service}.service", permissions = "0644", content = file("${path.module}/templates/mirrorfs-${var.service}.service") },
  ]

  topology_files = var.topology_yaml == "" ? [] : [
    { path = "/etc/mirrorfs/topology.yaml", permissions = "0644", content = var.topology_yaml },
  ]

  web_identity_files = local.web_identity ? [
    { path = "/usr/local/sbin/mirrorfs-aws-token.sh", permissions = "0755", content = file("${path.module}/templates/mirrorfs-aws-token.sh") },
    { path = "/etc/systemd/system/mirrorfs-aws-token.service", permissions = "0644", content = file("${path.module}/templates/mirrorfs-aws-token.service") },
    { path = "/etc/systemd/system/mirrorfs-aws-token.timer", permissions = "0644", content = file("${path.module}/templates/mirrorfs-aws-token.timer") },
  ] : []

  files = [
    for f in concat(local.common_files, local.topology_files, local.web_identity_files) : {
      path           = f.path
      permissions    = f.permissions
      content_base64 = base64encode(f.content)
    }
  ]
}

check "node_needs_topology" {
  assert {
    condition     = var.topology_yaml != ""
    error_message = "Every node needs topology_yaml: `mirrorfs meta start --topology` and `sync start --topology` read it."
  }
}
