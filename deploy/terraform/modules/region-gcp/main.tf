# One mirrorfs region on GCP: a GCS bucket for blocks, a Raft group of metadata nodes spread over
# zones, and (mirror regions) a sync service. The network and its routes to the other regions are the
# caller's.

locals {
  is_mirror = var.role == "mirror"
  zones     = length(var.zones) > 0 ? var.zones : [for z in ["a", "b", "c"] : "${var.gcp_region}-${z}"]
  labels    = merge(var.labels, { mirrorfs-region = lower(replace(var.region_name, "/[^a-zA-Z0-9_-]/", "-")), mirrorfs-role = var.role })
  node_tag  = "${var.name_prefix}-${lower(replace(var.region_name, "/[^a-zA-Z0-9-]/", "-"))}"

  # Fixed addresses: every node's --peers lists all of them before any instance exists.
  meta_nodes = [
    for i in range(var.meta_node_count) : {
      id   = "n${i + 1}"
      zone = local.zones[i % length(local.zones)]
      ip   = cidrhost(var.subnetwork_cidr, 10 + i)
    }
  ]
  meta_peers   = [for n in local.meta_nodes : "${n.id}=${n.ip}:${var.meta_port}"]
  sync_ip      = cidrhost(var.subnetwork_cidr, 100)
  meta_sources = distinct(concat([var.subnetwork_cidr], var.peer_cidrs, var.client_cidrs))
  sync_sources = distinct(concat([var.subnetwork_cidr], var.client_cidrs))
}

# --- Blocks -----------------------------------------------------------------------------------------

resource "google_storage_bucket" "blocks" {
  project                     = var.project_id
  name                        = var.bucket_name
  location                    = upper(var.gcp_region)
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = local.labels

  # Block objects are immutable: old versions would only be garbage.
  versioning {
    enabled = false
  }

  dynamic "encryption" {
    for_each = var.kms_key_name == "" ? [] : [var.kms_key_name]

    content {
      default_kms_key_name = encryption.value
    }
  }
}

# --- Identity ---------------------------------------------------------------------------------------

resource "google_service_account" "node" {
  project      = var.project_id
  account_id   = trim(substr(local.node_tag, 0, 30), "-") # node_tag already starts with name_prefix
  display_name = "mirrorfs ${var.region_name} nodes"
}

# objectUser: read, create and delete objects, nothing on the bucket's configuration or IAM.
resource "google_storage_bucket_iam_member" "node_blocks" {
  bucket = google_storage_bucket.blocks.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.node.email}"
}

resource "google_storage_bucket_iam_member" "node_reads_sources" {
  for_each = toset(var.source_bucket_names)
  bucket   = each.value
  role     = "roles/storage.objectViewer"
  member   = "serviceAccount:${google_service_account.node.email}"
}

# --- Network ----------------------------------------------------------------------------------------

resource "google_compute_firewall" "meta" {
  project       = var.project_id
  name          = "${local.node_tag}-meta"
  network       = var.network
  description   = "mirrorfs ${var.region_name}: metadata and admin/changelog ports"
  direction     = "INGRESS"
  source_ranges = local.meta_sources
  target_tags   = [local.node_tag]

  allow {
    protocol = "tcp"
    ports    = ["${var.meta_port}-${var.meta_port + 1}"]
  }
}

resource "google_compute_firewall" "sync" {
  count         = local.is_mirror ? 1 : 0
  project       = var.project_id
  name          = "${local.node_tag}-sync"
  network       = var.network
  description   = "mirrorfs ${var.region_name}: sync service port"
  direction     = "INGRESS"
  source_ranges = local.sync_sources
  target_tags   = [local.node_tag]

  allow {
    protocol = "tcp"
    ports    = [tostring(var.sync_port)]
  }
}

# --- Nodes ------------------------------------------------------------------------------------------

module "meta_bootstrap" {
  source = "../node-bootstrap"
  count  = var.meta_node_count

  service                 = "meta"
  region_name             = var.region_name
  node_id                 = local.meta_nodes[count.index].id
  meta_peers              = join(",", local.meta_peers)
  data_disk_device        = "/dev/disk/by-id/google-mirrorfs-data"
  topology_yaml           = var.topology_yaml
  mirrorfs_package_url    = var.mirrorfs_package_url
  mirrorfs_package_sha256 = var.mirrorfs_package_sha256
  tls_ca_pem              = var.tls_ca_pem
  tls_cert_pem            = var.tls_cert_pem
  tls_key_pem             = var.tls_key_pem
}

# Separate from the instance so that replacing a node keeps the replica's Raft log and RocksDB.
resource "google_compute_disk" "meta_data" {
  count   = var.meta_node_count
  project = var.project_id
  name    = "${local.node_tag}-meta-${local.meta_nodes[count.index].id}-data"
  zone    = local.meta_nodes[count.index].zone
  type    = "pd-ssd"
  size    = var.data_disk_size_gb
  labels  = local.labels

  dynamic "disk_encryption_key" {
    for_each = var.kms_key_name == "" ? [] : [var.kms_key_name]

    content {
      kms_key_self_link = disk_encryption_key.value
    }
  }
}

resource "google_compute_instance" "meta" {
  count        = var.meta_node_count
  project      = var.project_id
  name         = "${local.node_tag}-meta-${local.meta_nodes[count.index].id}"
  zone         = local.meta_nodes[count.index].zone
  machine_type = var.meta_machine_type
  tags         = [local.node_tag]
  labels       = local.labels

  boot_disk {
    initialize_params {
      image = var.image
      size  = 20
    }
  }

  attached_disk {
    source      = google_compute_disk.meta_data[count.index].id
    device_name = "mirrorfs-data"
  }

  network_interface {
    subnetwork = var.subnetwork
    network_ip = local.meta_nodes[count.index].ip
  }

  metadata = {
    user-data              = module.meta_bootstrap[count.index].user_data
    block-project-ssh-keys = "true"
  }

  service_account {
    email  = google_service_account.node.email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot = true
  }

  lifecycle {
    # Roll Raft members one at a time instead of replacing them on an image or bootstrap change.
    ignore_changes = [boot_disk[0].initialize_params[0].image, metadata["user-data"]]
  }
}

module "sync_bootstrap" {
  source = "../node-bootstrap"
  count  = local.is_mirror ? 1 : 0

  service                 = "sync"
  region_name             = var.region_name
  meta_peers              = join(",", local.meta_peers)
  topology_yaml           = var.topology_yaml
  mirrorfs_package_url    = var.mirrorfs_package_url
  mirrorfs_package_sha256 = var.mirrorfs_package_sha256
  tls_ca_pem              = var.tls_ca_pem
  tls_cert_pem            = var.tls_cert_pem
  tls_key_pem             = var.tls_key_pem

  # Only the sync service reads the S3 source: the metadata nodes follow the changelog over gRPC.
  aws_web_identity = var.aws_source_reader == null ? null : {
    token_source = "gcp"
    role_arn     = var.aws_source_reader.role_arn
    audience     = var.aws_source_reader.audience
    sts_region   = var.aws_source_reader.sts_region
  }
}

resource "google_compute_instance" "sync" {
  count        = local.is_mirror ? 1 : 0
  project      = var.project_id
  name         = "${local.node_tag}-sync"
  zone         = local.zones[0]
  machine_type = var.sync_machine_type
  tags         = [local.node_tag]
  labels       = local.labels

  boot_disk {
    initialize_params {
      image = var.image
      size  = 20
    }
  }

  network_interface {
    subnetwork = var.subnetwork
    network_ip = local.sync_ip
  }

  metadata = {
    user-data              = module.sync_bootstrap[0].user_data
    block-project-ssh-keys = "true"
  }

  service_account {
    email  = google_service_account.node.email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot = true
  }
}
