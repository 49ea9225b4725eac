# Variables shared by the three region modules keep the same names, types and checks, so a region can
# move between clouds by changing the module source and the cloud-specific inputs only.

variable "region_name" {
  description = "The region's name in the topology file (e.g. aws-us-east-1): 1-63 of [A-Za-z0-9_.-], starting with a letter or digit."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", var.region_name))
    error_message = "The region name must be 1-63 of [A-Za-z0-9_.-], starting with a letter or digit (docs/topology.md)."
  }
}

variable "role" {
  description = "The region's initial role: \"primary\" or \"mirror\". Only mirrors get a sync service."
  type        = string

  validation {
    condition     = contains(["primary", "mirror"], var.role)
    error_message = "The role must be \"primary\" or \"mirror\"."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name, so several deployments can share an account."
  type        = string
  default     = "mirrorfs"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.name_prefix))
    error_message = "The name prefix must be 1-20 of [a-z0-9-], starting with a letter."
  }
}

variable "vpc_id" {
  description = "ID of the existing VPC the nodes run in. It needs egress to the package URL and private routes (VPN or interconnect) to the peer regions."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "The VPC id must look like vpc-0123abcd."
  }
}

variable "subnets" {
  description = "Subnets to spread the metadata nodes over, one per availability zone: node i goes to subnets[i % length]. Node addresses are fixed host numbers in these CIDRs (10, 11, ...; the sync service gets 100), so keep those free."
  type = list(object({
    id         = string
    cidr_block = string
  }))

  validation {
    condition     = length(var.subnets) >= 1 && alltrue([for s in var.subnets : can(cidrhost(s.cidr_block, 100))])
    error_message = "Give at least one subnet, each with a valid IPv4 CIDR of at least 128 addresses."
  }
}

variable "peer_cidrs" {
  description = "Private CIDRs of the other regions' metadata and sync nodes; only these (and this region's subnets and client_cidrs) may reach the metadata and admin/changelog ports."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.peer_cidrs : can(cidrnetmask(c))])
    error_message = "Every peer CIDR must be an IPv4 CIDR such as 10.1.0.0/16."
  }
}

variable "client_cidrs" {
  description = "CIDRs of the hosts that mount the volume in this region (they talk to the metadata port)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.client_cidrs : can(cidrnetmask(c))])
    error_message = "Every client CIDR must be an IPv4 CIDR such as 10.0.8.0/22."
  }
}

variable "meta_node_count" {
  description = "Number of metadata (Raft) nodes: odd so a majority survives the loss of (n-1)/2, at most 15 (docs/topology.md)."
  type        = number
  default     = 3

  validation {
    condition     = var.meta_node_count >= 1 && var.meta_node_count <= 15 && var.meta_node_count % 2 == 1 && floor(var.meta_node_count) == var.meta_node_count
    error_message = "The metadata node count must be an odd whole number from 1 to 15."
  }
}

variable "meta_port" {
  description = "Raft port of the metadata nodes; the admin/changelog gRPC service listens on meta_port + 1."
  type        = number
  default     = 9860

  validation {
    condition     = var.meta_port >= 1024 && var.meta_port <= 65534
    error_message = "The metadata port must be 1024-65534 (its admin port is meta_port + 1)."
  }
}

variable "sync_port" {
  description = "Port of the sync service (mirror regions)."
  type        = number
  default     = 9870

  validation {
    condition     = var.sync_port >= 1024 && var.sync_port <= 65535
    error_message = "The sync port must be 1024-65535."
  }
}

variable "meta_instance_type" {
  description = "EC2 instance type of the metadata nodes (Nitro, so the data disk appears as NVMe)."
  type        = string
  default     = "m6i.large"
}

variable "sync_instance_type" {
  description = "EC2 instance type of the sync service (mirror regions)."
  type        = string
  default     = "c6i.large"
}

variable "data_disk_size_gb" {
  description = "Size of each metadata node's data disk (Raft log and RocksDB), in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.data_disk_size_gb >= 10 && var.data_disk_size_gb <= 16384
    error_message = "The data disk size must be 10-16384 GiB."
  }
}

variable "ami_id" {
  description = "AMI of the nodes; empty for the newest Ubuntu 24.04 LTS (it packages a Java 21 runtime). Changes do not replace running nodes."
  type        = string
  default     = ""
}

variable "bucket_name" {
  description = "Name of the S3 bucket created for this region's blocks."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "The bucket name must be a valid S3 bucket name (3-63 of [a-z0-9.-])."
  }
}

variable "block_prefix" {
  description = "Key prefix of the blocks inside the bucket (the store URI's path)."
  type        = string
  default     = "mirrorfs"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.block_prefix))
    error_message = "The block prefix must be path segments of [A-Za-z0-9_.-] without leading or trailing slashes."
  }
}

variable "kms_key_arn" {
  description = "KMS key for bucket and disk encryption; empty for S3-managed (SSE-S3) and the account's default EBS key."
  type        = string
  default     = ""

  validation {
    condition     = var.kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "The KMS key must be empty or a KMS key ARN."
  }
}

variable "source_bucket_arns" {
  description = "ARNs of the S3 buckets this region mirrors from; the nodes' role gets read access to them. Stores in other clouds are granted by that cloud (see federated_readers)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.source_bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", a))])
    error_message = "Every source bucket must be an S3 bucket ARN (arn:aws:s3:::name)."
  }
}

variable "federated_readers" {
  description = "Mirrors in other clouds that read this region's blocks, keyed by the mirror's region name. Each gets its own read-only IAM role (output reader_role_arns) that only its identity can assume with AssumeRoleWithWebIdentity. issuer: \"accounts.google.com\" (subject: the Google service account's unique id; audience: the aud its identity tokens are requested for) or the host/path of an IAM OIDC provider registered in this account, e.g. \"sts.windows.net/TENANT_ID/\" (subject: the managed identity's object id; audience: the token's aud, one of the provider's client ids)."
  type = map(object({
    issuer   = string
    subject  = string
    audience = string
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.federated_readers) : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", k))])
    error_message = "Each federated reader's key must be a region name: 1-63 of [A-Za-z0-9_.-], starting with a letter or digit."
  }

  validation {
    condition     = alltrue([for r in values(var.federated_readers) : can(regex("^[a-z0-9.-]+(/[A-Za-z0-9._~-]+)*/?$", r.issuer))])
    error_message = "Each issuer must be \"accounts.google.com\" or an IAM OIDC provider's host/path without https:// (e.g. sts.windows.net/TENANT_ID/)."
  }

  validation {
    condition     = alltrue([for r in values(var.federated_readers) : r.issuer == "accounts.google.com" ? can(regex("^[0-9]{1,30}$", r.subject)) : can(regex("^[^\\s]{1,255}$", r.subject))])
    error_message = "Each subject must be set: for accounts.google.com the service account's numeric unique id, otherwise the token's sub (e.g. a managed identity's object id)."
  }

  validation {
    condition     = alltrue([for r in values(var.federated_readers) : can(regex("^[^\\s]{1,255}$", r.audience))])
    error_message = "Each audience must be 1-255 characters without spaces."
  }
}

variable "topology_yaml" {
  description = "The deployment's topology file, installed on every node: `mirrorfs meta start` and `sync start` read it (--topology). Required."
  type        = string
  default     = ""
}

variable "mirrorfs_package_url" {
  description = "HTTPS URL of the mirrorfs release tarball the nodes install."
  type        = string

  validation {
    condition     = can(regex("^https://", var.mirrorfs_package_url))
    error_message = "The package URL must use https://."
  }
}

variable "mirrorfs_package_sha256" {
  description = "SHA-256 of the release tarball, checked on every node before it is unpacked."
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
  description = "PEM certificate presented by this region's nodes."
  type        = string
  sensitive   = true
}

variable "tls_key_pem" {
  description = "PEM private key of tls_cert_pem. It travels in the instances' user data: restrict who can read instance attributes."
  type        = string
  sensitive   = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
