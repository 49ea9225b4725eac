# One mirrorfs region on AWS: an S3 bucket for blocks, a Raft group of metadata nodes spread over
# availability zones, and (mirror regions) a sync service. Networking (VPC, subnets, NAT, the VPN to
# the other regions) is the caller's: it is usually shared with other workloads.

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_ami" "ubuntu" {
  count       = var.ami_id == "" ? 1 : 0
  most_recent = true
  owners      = ["099720109477"] # Canonical

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]
  }
}

locals {
  is_mirror = var.role == "mirror"
  ami_id    = var.ami_id == "" ? data.aws_ami.ubuntu[0].id : var.ami_id
  tags      = merge(var.tags, { "mirrorfs:region" = var.region_name, "mirrorfs:role" = var.role })

  # Fixed addresses: every node's --peers lists all of them before any instance exists.
  meta_nodes = [
    for i in range(var.meta_node_count) : {
      id        = "n${i + 1}"
      subnet_id = var.subnets[i % length(var.subnets)].id
      ip        = cidrhost(var.subnets[i % length(var.subnets)].cidr_block, 10 + floor(i / length(var.subnets)))
    }
  ]
  meta_peers     = [for n in local.meta_nodes : "${n.id}=${n.ip}:${var.meta_port}"]
  sync_ip        = cidrhost(var.subnets[0].cidr_block, 100)
  bucket_arn     = aws_s3_bucket.blocks.arn
  own_cidrs      = [for s in var.subnets : s.cidr_block]
  meta_sources   = distinct(concat(local.own_cidrs, var.peer_cidrs, var.client_cidrs))
  sync_sources   = distinct(concat(local.own_cidrs, var.client_cidrs))
  kms_encryption = var.kms_key_arn != ""

  # Federated readers (mirrors in other clouds). IAM role names are at most 64 characters: a longer
  # name is cut and keeps a hash of the whole, so two readers never share a role.
  google_issuer          = "accounts.google.com"
  reader_role_full_names = { for k in keys(var.federated_readers) : k => "${var.name_prefix}-${var.region_name}-reader-${k}" }
  reader_role_names      = { for k, n in local.reader_role_full_names : k => length(n) <= 64 ? n : "${substr(n, 0, 55)}-${substr(sha1(n), 0, 8)}" }
}

# --- Blocks -----------------------------------------------------------------------------------------

resource "aws_s3_bucket" "blocks" {
  bucket = var.bucket_name
  tags   = local.tags
}

# Versioning stays off (the S3 default): block objects are immutable, so old versions would only be
# garbage that lifecycle rules then have to collect.

resource "aws_s3_bucket_public_access_block" "blocks" {
  bucket                  = aws_s3_bucket.blocks.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "blocks" {
  bucket = aws_s3_bucket.blocks.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "blocks" {
  bucket = aws_s3_bucket.blocks.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.kms_encryption ? "aws:kms" : "AES256"
      kms_master_key_id = local.kms_encryption ? var.kms_key_arn : null
    }
    bucket_key_enabled = local.kms_encryption
  }
}

# --- Identity ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume_by_ec2" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "node_access" {
  # Read-write on this region's block prefix only; the bucket itself is not the nodes' to configure.
  statement {
    sid       = "OwnBlocks"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${local.bucket_arn}/${var.block_prefix}/*"]
  }

  statement {
    sid       = "ListOwnBlocks"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.block_prefix}/*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.source_bucket_arns) > 0 ? [1] : []

    content {
      sid       = "ReadSourceBlocks"
      actions   = ["s3:GetObject", "s3:ListBucket"]
      resources = concat(var.source_bucket_arns, [for a in var.source_bucket_arns : "${a}/*"])
    }
  }

  dynamic "statement" {
    for_each = local.kms_encryption ? [1] : []

    content {
      sid       = "UseBlocksKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.name_prefix}-${var.region_name}-node"
  assume_role_policy = data.aws_iam_policy_document.assume_by_ec2.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "node_access" {
  name   = "blocks"
  role   = aws_iam_role.node.id
  policy = data.aws_iam_policy_document.node_access.json
}

resource "aws_iam_instance_profile" "node" {
  name = "${var.name_prefix}-${var.region_name}-node"
  role = aws_iam_role.node.name
  tags = local.tags
}

# Read-only access for mirrors in other clouds, through their own cloud's identity tokens: no
# long-lived AWS keys leave AWS. One role per mirror, so each trust policy names exactly one identity
# and CloudTrail shows which mirror read what.
data "aws_iam_policy_document" "assume_by_reader" {
  for_each = var.federated_readers

  statement {
    sid     = "WebIdentity"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type = "Federated"
      identifiers = [
        each.value.issuer == local.google_issuer
        ? local.google_issuer
        : "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${each.value.issuer}"
      ]
    }

    condition {
      test     = "StringEquals"
      variable = "${each.value.issuer}:sub"
      values   = [each.value.subject]
    }

    # For Google tokens that carry an azp claim (a service account's identity token does), IAM maps
    # accounts.google.com:aud to azp (the service account's unique id) and :oaud to the token's aud.
    condition {
      test     = "StringEquals"
      variable = "${each.value.issuer}:aud"
      values   = [each.value.issuer == local.google_issuer ? each.value.subject : each.value.audience]
    }

    dynamic "condition" {
      for_each = each.value.issuer == local.google_issuer ? [each.value.audience] : []

      content {
        test     = "StringEquals"
        variable = "${local.google_issuer}:oaud"
        values   = [condition.value]
      }
    }
  }
}

# What a mirror needs to copy blocks: read objects under the block prefix and list that prefix.
# Nothing else in the bucket, no writes, no bucket configuration.
data "aws_iam_policy_document" "read_blocks" {
  statement {
    sid       = "ReadBlocks"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/${var.block_prefix}/*"]
  }

  statement {
    sid       = "ListBlocks"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.block_prefix}/*"]
    }
  }

  dynamic "statement" {
    for_each = local.kms_encryption ? [var.kms_key_arn] : []

    content {
      sid       = "DecryptBlocksThroughS3"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      # Only for S3 reads in this region: the key cannot be used directly.
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role" "reader" {
  for_each             = var.federated_readers
  name                 = local.reader_role_names[each.key]
  description          = "mirrorfs: ${each.key} reads the blocks of ${var.region_name} (web identity, read-only)"
  assume_role_policy   = data.aws_iam_policy_document.assume_by_reader[each.key].json
  max_session_duration = 3600
  tags                 = merge(local.tags, { "mirrorfs:reader" = each.key })
}

resource "aws_iam_role_policy" "reader" {
  for_each = var.federated_readers
  name     = "read-blocks"
  role     = aws_iam_role.reader[each.key].id
  policy   = data.aws_iam_policy_document.read_blocks.json
}

# --- Network ----------------------------------------------------------------------------------------

resource "aws_security_group" "nodes" {
  name        = "${var.name_prefix}-${var.region_name}-nodes"
  description = "mirrorfs ${var.region_name}: metadata, admin/changelog and sync ports; no SSH"
  vpc_id      = var.vpc_id
  tags        = local.tags
}

# The metadata port and the admin/changelog port right above it, one rule per source CIDR.
resource "aws_vpc_security_group_ingress_rule" "meta" {
  for_each          = toset(local.meta_sources)
  security_group_id = aws_security_group.nodes.id
  description       = "mirrorfs metadata + admin/changelog from ${each.value}"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = var.meta_port
  to_port           = var.meta_port + 1
}

resource "aws_vpc_security_group_ingress_rule" "sync" {
  for_each          = local.is_mirror ? toset(local.sync_sources) : toset([])
  security_group_id = aws_security_group.nodes.id
  description       = "mirrorfs sync service from ${each.value}"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = var.sync_port
  to_port           = var.sync_port
}

# Nodes reach object stores, peer regions and the package URL.
resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.nodes.id
  description       = "all outbound"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

# --- Nodes ------------------------------------------------------------------------------------------

module "meta_bootstrap" {
  source = "../node-bootstrap"
  count  = var.meta_node_count

  service                 = "meta"
  region_name             = var.region_name
  node_id                 = local.meta_nodes[count.index].id
  meta_peers              = join(",", local.meta_peers)
  data_disk_device        = "/dev/nvme1n1" # Nitro exposes EBS as NVMe; the root disk is nvme0n1
  topology_yaml           = var.topology_yaml
  mirrorfs_package_url    = var.mirrorfs_package_url
  mirrorfs_package_sha256 = var.mirrorfs_package_sha256
  tls_ca_pem              = var.tls_ca_pem
  tls_cert_pem            = var.tls_cert_pem
  tls_key_pem             = var.tls_key_pem
}

resource "aws_instance" "meta" {
  count                  = var.meta_node_count
  ami                    = local.ami_id
  instance_type          = var.meta_instance_type
  subnet_id              = local.meta_nodes[count.index].subnet_id
  private_ip             = local.meta_nodes[count.index].ip
  vpc_security_group_ids = [aws_security_group.nodes.id]
  iam_instance_profile   = aws_iam_instance_profile.node.name
  user_data              = module.meta_bootstrap[count.index].user_data

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    volume_size = 20
    volume_type = "gp3"
    encrypted   = true
    kms_key_id  = local.kms_encryption ? var.kms_key_arn : null
  }

  # The Raft log and RocksDB outlive the instance: replacing a node must not lose a replica's data.
  ebs_block_device {
    device_name           = "/dev/sdf"
    volume_size           = var.data_disk_size_gb
    volume_type           = "gp3"
    encrypted             = true
    kms_key_id            = local.kms_encryption ? var.kms_key_arn : null
    delete_on_termination = false
  }

  tags = merge(local.tags, { Name = "${var.name_prefix}-${var.region_name}-meta-${local.meta_nodes[count.index].id}" })

  lifecycle {
    # A new AMI or bootstrap must not replace Raft members behind the operator's back: roll them
    # one at a time instead (README).
    ignore_changes = [ami, user_data]
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
}

resource "aws_instance" "sync" {
  count                  = local.is_mirror ? 1 : 0
  ami                    = local.ami_id
  instance_type          = var.sync_instance_type
  subnet_id              = var.subnets[0].id
  private_ip             = local.sync_ip
  vpc_security_group_ids = [aws_security_group.nodes.id]
  iam_instance_profile   = aws_iam_instance_profile.node.name
  user_data              = module.sync_bootstrap[0].user_data

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    volume_size = 20
    volume_type = "gp3"
    encrypted   = true
    kms_key_id  = local.kms_encryption ? var.kms_key_arn : null
  }

  tags = merge(local.tags, { Name = "${var.name_prefix}-${var.region_name}-sync" })

  lifecycle {
    ignore_changes = [ami]
  }
}
