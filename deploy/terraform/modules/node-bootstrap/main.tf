# Cloud-neutral first-boot configuration of one mirrorfs node: the region modules for AWS, GCP and
# Azure all call this module, so every cloud runs the same scripts and units.

locals {
  data_dir = "/var/lib/mirrorfs"

  # KEY=value lines read by the bootstrap script and by the systemd units (EnvironmentFile).
  node_env = join("\n", [
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
    "",
  ])

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

  files = [
    for f in concat(local.common_files, local.topology_files) : {
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
