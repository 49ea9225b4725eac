variable "service" {
  description = "Which mirrorfs service the node runs: \"meta\" (a metadata/Raft node) or \"sync\" (a mirror region's sync service)."
  type        = string

  validation {
    condition     = contains(["meta", "sync"], var.service)
    error_message = "The service must be \"meta\" or \"sync\"."
  }
}

variable "region_name" {
  description = "The topology's name for this region (passed to `mirrorfs meta start` and `sync start` as --region)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", var.region_name))
    error_message = "The region name must be 1-63 of [A-Za-z0-9_.-], starting with a letter or digit (docs/topology.md)."
  }
}

variable "node_id" {
  description = "The metadata node's Raft peer id (for service \"meta\"); empty for the sync service."
  type        = string
  default     = ""
}

variable "meta_peers" {
  description = "The region's metadata peers as ID=HOST:PORT,... (the value of `mirrorfs meta start --peers`)."
  type        = string
  default     = ""
}

variable "topology_yaml" {
  description = "The deployment's topology file (docs/topology.md), written to /etc/mirrorfs/topology.yaml and read by both services (--topology). Required."
  type        = string
  default     = ""
}

variable "data_disk_device" {
  description = "Block device of the data disk that holds the Raft log and RocksDB; empty to use the root disk. Formatted only if blank."
  type        = string
  default     = ""
}

variable "mirrorfs_package_url" {
  description = "HTTPS URL of the mirrorfs release tarball (the repository layout: the `mirrorfs` launcher at the top level)."
  type        = string

  validation {
    condition     = can(regex("^https://", var.mirrorfs_package_url))
    error_message = "The package URL must use https://."
  }
}

variable "mirrorfs_package_sha256" {
  description = "SHA-256 of the release tarball, checked before it is unpacked."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.mirrorfs_package_sha256))
    error_message = "The SHA-256 must be 64 lowercase hex digits."
  }
}

variable "tls_ca_pem" {
  description = "PEM of the CA that signs the deployment's node certificates."
  type        = string
  sensitive   = true
}

variable "tls_cert_pem" {
  description = "PEM certificate of this node (or of this region's nodes)."
  type        = string
  sensitive   = true
}

variable "tls_key_pem" {
  description = "PEM private key matching tls_cert_pem; written readable by root and the mirrorfs group only."
  type        = string
  sensitive   = true
}

variable "aws_web_identity" {
  description = "Set on nodes that read an S3 source from another cloud (a mirror of an AWS primary): the AWS SDK's default chain assumes role_arn (read-only on the source's blocks) with this cloud's identity token. token_source is \"gcp\" (the VM's service account identity token for audience) or \"azure\" (the managed identity's Entra ID token for resource audience; azure_client_id selects a user-assigned identity). sts_region is the AWS region for STS (e.g. us-east-1). null (the default) changes nothing."
  type = object({
    token_source    = string
    role_arn        = string
    audience        = string
    sts_region      = string
    azure_client_id = optional(string, "")
  })
  default = null

  validation {
    condition = var.aws_web_identity == null ? true : (
      contains(["gcp", "azure"], var.aws_web_identity.token_source)
      && can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,64}$", var.aws_web_identity.role_arn))
      && can(regex("^[^\\s]{1,255}$", var.aws_web_identity.audience))
      && can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_web_identity.sts_region))
      && can(regex("^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$", var.aws_web_identity.azure_client_id))
    )
    error_message = "aws_web_identity needs token_source \"gcp\" or \"azure\", an IAM role ARN, an audience without spaces, an AWS region such as us-east-1, and azure_client_id empty or a GUID."
  }
}
