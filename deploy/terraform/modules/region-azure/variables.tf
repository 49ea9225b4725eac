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

variable "data_disk_size_gb" {
  description = "Size of each metadata node's data disk (Raft log and RocksDB), in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.data_disk_size_gb >= 10 && var.data_disk_size_gb <= 16384
    error_message = "The data disk size must be 10-16384 GiB."
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

variable "resource_group_name" {
  description = "Existing resource group that holds the region's resources."
  type        = string
}

variable "location" {
  description = "Azure region of the nodes and the storage account, e.g. westeurope."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+[a-z0-9]*$", var.location))
    error_message = "The location must be an Azure region name such as westeurope."
  }
}

variable "zones" {
  description = "Availability zones to spread the metadata nodes over (node i goes to zones[i % length])."
  type        = list(string)
  default     = ["1", "2", "3"]

  validation {
    condition     = length(var.zones) >= 1 && alltrue([for z in var.zones : contains(["1", "2", "3"], z)])
    error_message = "Zones must be a non-empty list of \"1\", \"2\" and \"3\"."
  }
}

variable "subnet_id" {
  description = "ID of the existing subnet the nodes attach to. The VNet needs egress and private routes to the peer regions."
  type        = string
}

variable "subnet_cidr" {
  description = "Address prefix of the subnet. Node addresses are fixed host numbers in it (10, 11, ...; the sync service gets 100), so keep those free."
  type        = string

  validation {
    condition     = can(cidrhost(var.subnet_cidr, 100))
    error_message = "The subnet CIDR must be an IPv4 CIDR of at least 128 addresses."
  }
}

variable "meta_vm_size" {
  description = "VM size of the metadata nodes."
  type        = string
  default     = "Standard_D2s_v5"
}

variable "sync_vm_size" {
  description = "VM size of the sync service (mirror regions)."
  type        = string
  default     = "Standard_F4s_v2"
}

variable "admin_username" {
  description = "Admin user of the VMs (Azure requires one; no inbound SSH rule is opened)."
  type        = string
  default     = "mirrorfs-admin"
}

variable "admin_ssh_public_key" {
  description = "OpenSSH public key of the admin user (Azure requires one; password login stays disabled)."
  type        = string

  validation {
    condition     = can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp[0-9]+) ", var.admin_ssh_public_key))
    error_message = "The admin key must be an OpenSSH public key."
  }
}

variable "storage_account_name" {
  description = "Name of the storage account created for this region's blocks (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "The storage account name must be 3-24 of [a-z0-9]."
  }
}

variable "container_name" {
  description = "Name of the blob container for the blocks."
  type        = string
  default     = "blocks"

  validation {
    condition     = can(regex("^[a-z0-9](-?[a-z0-9]){2,62}$", var.container_name))
    error_message = "The container name must be 3-63 of [a-z0-9-], without leading, trailing or double hyphens."
  }
}

variable "source_container_ids" {
  description = "Resource ids of the Azure blob containers this region mirrors from; the nodes' identity gets Storage Blob Data Reader on them. Stores in other clouds grant access themselves (e.g. region-aws federated_readers)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "aws_source_reader" {
  description = "Set when this mirror copies blocks from an S3 source (an AWS primary): role_arn is the read-only role the source's region-aws created for this region (reader_role_arns), audience the Entra ID application (client id or App ID URI) its tokens are requested for (the reader's audience in region-aws federated_readers), sts_region the source's AWS region. The sync service then assumes the role with the managed identity's Entra ID token from IMDS (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, refreshed every 5 minutes): no AWS keys. null (the default) changes nothing."
  type = object({
    role_arn   = string
    audience   = string
    sts_region = string
  })
  default = null

  validation {
    condition = var.aws_source_reader == null ? true : (
      can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,64}$", var.aws_source_reader.role_arn))
      && can(regex("^[^\\s]{1,255}$", var.aws_source_reader.audience))
      && can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_source_reader.sts_region))
    )
    error_message = "aws_source_reader needs an IAM role ARN, an audience without spaces and an AWS region such as us-east-1."
  }
}
