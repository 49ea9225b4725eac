variable "volume" {
  description = "The volume name (docs/topology.md): 1-63 of [A-Za-z0-9_.-], starting with a letter or digit."
  type        = string
  default     = "datasets"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", var.volume))
    error_message = "The volume name must be 1-63 of [A-Za-z0-9_.-], starting with a letter or digit."
  }
}

variable "mount_point" {
  description = "Where clients mount the volume; empty for /mnt/VOLUME."
  type        = string
  default     = ""

  validation {
    condition     = var.mount_point == "" || startswith(var.mount_point, "/")
    error_message = "The mount point must be an absolute path."
  }
}

variable "mirrorfs_package_url" {
  description = "HTTPS URL of the mirrorfs release tarball every node installs."
  type        = string

  validation {
    condition     = can(regex("^https://", var.mirrorfs_package_url))
    error_message = "The package URL must use https://."
  }
}

variable "mirrorfs_package_sha256" {
  description = "SHA-256 of the release tarball."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.mirrorfs_package_sha256))
    error_message = "The SHA-256 must be 64 lowercase hex digits."
  }
}

variable "tls_ca_pem" {
  description = "PEM of the CA that signs every region's node certificate."
  type        = string
  sensitive   = true
}

variable "tls_node_certs" {
  description = "Node certificate and key per cloud: keys \"aws\", \"gcp\" and \"azure\", each with cert_pem and key_pem."
  type = map(object({
    cert_pem = string
    key_pem  = string
  }))
  sensitive = true

  validation {
    condition     = alltrue([for k in ["aws", "gcp", "azure"] : contains(keys(var.tls_node_certs), k)])
    error_message = "tls_node_certs needs the keys \"aws\", \"gcp\" and \"azure\"."
  }
}

# --- AWS (primary) ----------------------------------------------------------------------------------

variable "aws_region" {
  description = "AWS region of the primary, e.g. us-east-1."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "The AWS region must look like us-east-1."
  }
}

variable "aws_vpc_id" {
  description = "Existing VPC of the primary's nodes."
  type        = string
}

variable "aws_subnets" {
  description = "Subnets of the primary's nodes, one per availability zone (id and cidr_block)."
  type = list(object({
    id         = string
    cidr_block = string
  }))
}

variable "aws_bucket_name" {
  description = "Name of the primary's S3 bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.aws_bucket_name))
    error_message = "The bucket name must be a valid S3 bucket name (3-63 of [a-z0-9.-])."
  }
}

# --- GCP (mirror) -----------------------------------------------------------------------------------

variable "gcp_project_id" {
  description = "GCP project of the GCP mirror."
  type        = string
}

variable "gcp_region" {
  description = "GCP region of the mirror, e.g. europe-west4."
  type        = string
  default     = "europe-west4"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.gcp_region))
    error_message = "The GCP region must look like europe-west4."
  }
}

variable "gcp_network" {
  description = "Existing VPC network of the GCP mirror."
  type        = string
}

variable "gcp_subnetwork" {
  description = "Existing subnetwork of the GCP mirror."
  type        = string
}

variable "gcp_subnetwork_cidr" {
  description = "Primary IPv4 range of gcp_subnetwork."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.gcp_subnetwork_cidr))
    error_message = "The subnetwork CIDR must be an IPv4 CIDR."
  }
}

variable "gcp_bucket_name" {
  description = "Name of the GCP mirror's GCS bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.gcp_bucket_name))
    error_message = "The bucket name must be a valid GCS bucket name (3-63 of [a-z0-9._-])."
  }
}

# --- Azure (mirror) ---------------------------------------------------------------------------------

variable "azure_subscription_id" {
  description = "Azure subscription of the Azure mirror."
  type        = string
}

variable "azure_tenant_id" {
  description = "Entra ID tenant of the Azure mirror's managed identity (the issuer AWS trusts for reads)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.azure_tenant_id))
    error_message = "The tenant id must be a GUID."
  }
}

variable "azure_location" {
  description = "Azure region of the mirror, e.g. westeurope."
  type        = string
  default     = "westeurope"

  validation {
    condition     = can(regex("^[a-z]+[a-z0-9]*$", var.azure_location))
    error_message = "The location must be an Azure region name such as westeurope."
  }
}

variable "azure_resource_group_name" {
  description = "Existing resource group of the Azure mirror."
  type        = string
}

variable "azure_subnet_id" {
  description = "Existing subnet of the Azure mirror's nodes."
  type        = string
}

variable "azure_subnet_cidr" {
  description = "Address prefix of azure_subnet_id."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.azure_subnet_cidr))
    error_message = "The subnet CIDR must be an IPv4 CIDR."
  }
}

variable "azure_storage_account_name" {
  description = "Name of the Azure mirror's storage account (globally unique, 3-24 of [a-z0-9])."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.azure_storage_account_name))
    error_message = "The storage account name must be 3-24 of [a-z0-9]."
  }
}

variable "azure_admin_ssh_public_key" {
  description = "OpenSSH public key of the Azure VMs' admin user (required by Azure; no SSH port is opened)."
  type        = string
}

variable "azure_token_audience" {
  description = "Audience of the Entra ID tokens the Azure mirror presents to AWS STS: the client id (or App ID URI) of an existing Entra ID application whose tokens are v1 (requestedAccessTokenVersion 1 or unset). Empty (the default) creates one (needs the right to register applications in the tenant)."
  type        = string
  default     = ""

  validation {
    condition     = var.azure_token_audience == "" || can(regex("^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(api|https)://[^\\s]+)$", var.azure_token_audience))
    error_message = "The Azure token audience must be empty, an application's client id (GUID) or its App ID URI (api://... or https://...)."
  }
}

variable "gcp_token_audience" {
  description = "Audience the GCP mirror requests its service account's identity tokens for; the primary's reader role accepts only this audience (accounts.google.com:oaud)."
  type        = string
  default     = "sts.amazonaws.com"

  validation {
    condition     = can(regex("^[^\\s]{1,255}$", var.gcp_token_audience))
    error_message = "The GCP token audience must be 1-255 characters without spaces."
  }
}
