# An AWS primary with a GCP mirror and an Azure mirror, and the topology file that describes them.
# The three networks must already reach each other privately (VPN or interconnect): the topology
# lists private addresses.

locals {
  aws_region_name   = "aws-${var.aws_region}"
  gcp_region_name   = "gcp-${var.gcp_region}"
  azure_region_name = "azure-${var.azure_location}"
  aws_cidrs         = [for s in var.aws_subnets : s.cidr_block]
  mount_point       = var.mount_point == "" ? "/mnt/${var.volume}" : var.mount_point

  # The topology template receives plain strings (meta pre-joined, sync "" when absent), so the
  # template stays simple enough for the tests to render without Terraform.
  regions = [
    for r in [module.primary_aws, module.mirror_gcp, module.mirror_azure] : {
      name  = r.region_name
      role  = r.role
      store = r.store_uri
      meta  = join(", ", r.meta_peers)
      sync  = r.sync_address == null ? "" : r.sync_address
    }
  ]

  topology_yaml = templatefile("${path.module}/topology.yaml.tftpl", {
    volume  = var.volume
    regions = local.regions
  })
}

# --- Cross-cloud reads of the primary's blocks ------------------------------------------------------
# Each mirror copies blocks from the primary's S3 bucket through its own read-only IAM role, which it
# assumes with its own cloud's identity token (AssumeRoleWithWebIdentity): no AWS keys leave AWS.

locals {
  # Entra ID v1 tokens (the app below asks for them) carry this issuer; AWS names the OIDC provider,
  # and its condition keys, after it without the scheme. The Azure mirror's managed identity requests
  # its tokens for an Entra ID application: the audience.
  azure_issuer         = "sts.windows.net/${var.azure_tenant_id}/"
  azure_token_audience = var.azure_token_audience != "" ? var.azure_token_audience : azuread_service_principal.aws_federation[0].client_id
}

# The audience of the Azure mirror's tokens. A managed identity can only get tokens for an application
# that exists in its tenant; this one has no permissions, secrets or roles: it only names "AWS reads
# of mirrorfs blocks" as the token's audience. Skipped when azure_token_audience names an existing one.
resource "azuread_application" "aws_federation" {
  count            = var.azure_token_audience == "" ? 1 : 0
  display_name     = "mirrorfs ${local.azure_region_name} reads ${local.aws_region_name} (AWS web identity)"
  sign_in_audience = "AzureADMyOrg"

  api {
    # v1 tokens: issuer https://sts.windows.net/TENANT/, the IAM OIDC provider below.
    requested_access_token_version = 1
  }
}

resource "azuread_service_principal" "aws_federation" {
  count     = var.azure_token_audience == "" ? 1 : 0
  client_id = azuread_application.aws_federation[0].client_id
}

# AWS STS must know the Entra ID issuer before the Azure mirror can exchange its token. One provider
# per issuer and account: if the account already has it, import it instead of creating it.
resource "aws_iam_openid_connect_provider" "azure" {
  url            = "https://${local.azure_issuer}"
  client_id_list = [local.azure_token_audience]
}

module "primary_aws" {
  source = "../../modules/region-aws"

  region_name             = local.aws_region_name
  role                    = "primary"
  vpc_id                  = var.aws_vpc_id
  subnets                 = var.aws_subnets
  peer_cidrs              = [var.gcp_subnetwork_cidr, var.azure_subnet_cidr]
  bucket_name             = var.aws_bucket_name
  topology_yaml           = local.topology_yaml
  mirrorfs_package_url    = var.mirrorfs_package_url
  mirrorfs_package_sha256 = var.mirrorfs_package_sha256
  tls_ca_pem              = var.tls_ca_pem
  tls_cert_pem            = var.tls_node_certs["aws"].cert_pem
  tls_key_pem             = var.tls_node_certs["aws"].key_pem

  # One read-only role per mirror, trusting only that mirror's identity (least privilege: GetObject
  # and a prefix-limited ListBucket on the block prefix).
  federated_readers = {
    (local.gcp_region_name) = {
      issuer   = "accounts.google.com"
      subject  = module.mirror_gcp.service_account_unique_id
      audience = var.gcp_token_audience
    }
    (local.azure_region_name) = {
      # From the provider resource, so the role is created after the provider it trusts.
      issuer   = trimprefix(aws_iam_openid_connect_provider.azure.url, "https://")
      subject  = module.mirror_azure.identity_principal_id
      audience = local.azure_token_audience
    }
  }
}

module "mirror_gcp" {
  source = "../../modules/region-gcp"

  region_name             = local.gcp_region_name
  role                    = "mirror"
  project_id              = var.gcp_project_id
  gcp_region              = var.gcp_region
  network                 = var.gcp_network
  subnetwork              = var.gcp_subnetwork
  subnetwork_cidr         = var.gcp_subnetwork_cidr
  peer_cidrs              = concat(local.aws_cidrs, [var.azure_subnet_cidr])
  bucket_name             = var.gcp_bucket_name
  topology_yaml           = local.topology_yaml
  mirrorfs_package_url    = var.mirrorfs_package_url
  mirrorfs_package_sha256 = var.mirrorfs_package_sha256
  tls_ca_pem              = var.tls_ca_pem
  tls_cert_pem            = var.tls_node_certs["gcp"].cert_pem
  tls_key_pem             = var.tls_node_certs["gcp"].key_pem

  aws_source_reader = {
    role_arn   = module.primary_aws.reader_role_arns[local.gcp_region_name]
    audience   = var.gcp_token_audience
    sts_region = module.primary_aws.aws_region
  }
}

module "mirror_azure" {
  source = "../../modules/region-azure"

  region_name             = local.azure_region_name
  role                    = "mirror"
  resource_group_name     = var.azure_resource_group_name
  location                = var.azure_location
  subnet_id               = var.azure_subnet_id
  subnet_cidr             = var.azure_subnet_cidr
  peer_cidrs              = concat(local.aws_cidrs, [var.gcp_subnetwork_cidr])
  storage_account_name    = var.azure_storage_account_name
  admin_ssh_public_key    = var.azure_admin_ssh_public_key
  topology_yaml           = local.topology_yaml
  mirrorfs_package_url    = var.mirrorfs_package_url
  mirrorfs_package_sha256 = var.mirrorfs_package_sha256
  tls_ca_pem              = var.tls_ca_pem
  tls_cert_pem            = var.tls_node_certs["azure"].cert_pem
  tls_key_pem             = var.tls_node_certs["azure"].key_pem

  aws_source_reader = {
    role_arn   = module.primary_aws.reader_role_arns[local.azure_region_name]
    audience   = local.azure_token_audience
    sts_region = module.primary_aws.aws_region
  }
}
