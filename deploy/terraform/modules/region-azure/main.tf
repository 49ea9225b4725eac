# One mirrorfs region on Azure: a storage account + container for blocks, a Raft group of metadata
# nodes spread over availability zones, and (mirror regions) a sync service. The VNet, its subnet and
# the routes to the other regions are the caller's.

locals {
  is_mirror = var.role == "mirror"
  tags      = merge(var.tags, { "mirrorfs-region" = var.region_name, "mirrorfs-role" = var.role })
  base_name = "${var.name_prefix}-${var.region_name}"

  # Fixed addresses: every node's --peers lists all of them before any VM exists.
  meta_nodes = [
    for i in range(var.meta_node_count) : {
      id   = "n${i + 1}"
      zone = var.zones[i % length(var.zones)]
      ip   = cidrhost(var.subnet_cidr, 10 + i)
    }
  ]
  meta_peers   = [for n in local.meta_nodes : "${n.id}=${n.ip}:${var.meta_port}"]
  sync_ip      = cidrhost(var.subnet_cidr, 100)
  meta_sources = distinct(concat([var.subnet_cidr], var.peer_cidrs, var.client_cidrs))
  sync_sources = distinct(concat([var.subnet_cidr], var.client_cidrs))
}

# --- Blocks -----------------------------------------------------------------------------------------

resource "azurerm_storage_account" "blocks" {
  name                              = var.storage_account_name
  resource_group_name               = var.resource_group_name
  location                          = var.location
  account_tier                      = "Standard"
  account_replication_type          = "ZRS"
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  allow_nested_items_to_be_public   = false
  shared_access_key_enabled         = false # Entra ID only: no account keys to leak
  infrastructure_encryption_enabled = true
  tags                              = local.tags

  # Block objects are immutable: old versions would only be garbage.
  blob_properties {
    versioning_enabled = false
  }
}

resource "azurerm_storage_container" "blocks" {
  name                  = var.container_name
  storage_account_id    = azurerm_storage_account.blocks.id
  container_access_type = "private"
}

# --- Identity ---------------------------------------------------------------------------------------

resource "azurerm_user_assigned_identity" "node" {
  name                = "${local.base_name}-node"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = local.tags
}

# Scoped to the container, not the account: the nodes cannot touch other containers or settings.
resource "azurerm_role_assignment" "node_blocks" {
  scope                = azurerm_storage_container.blocks.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.node.principal_id
}

resource "azurerm_role_assignment" "node_reads_sources" {
  for_each             = toset(var.source_container_ids)
  scope                = each.value
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.node.principal_id
}

# --- Network ----------------------------------------------------------------------------------------

resource "azurerm_network_security_group" "nodes" {
  name                = "${local.base_name}-nodes"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = local.tags

  security_rule {
    name                       = "mirrorfs-meta"
    description                = "metadata and admin/changelog ports"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "${var.meta_port}-${var.meta_port + 1}"
    source_address_prefixes    = local.meta_sources
    destination_address_prefix = "*"
  }

  dynamic "security_rule" {
    for_each = local.is_mirror ? [1] : []

    content {
      name                       = "mirrorfs-sync"
      description                = "sync service port"
      priority                   = 110
      direction                  = "Inbound"
      access                     = "Allow"
      protocol                   = "Tcp"
      source_port_range          = "*"
      destination_port_range     = tostring(var.sync_port)
      source_address_prefixes    = local.sync_sources
      destination_address_prefix = "*"
    }
  }

  # Azure's default rules allow everything from the VirtualNetwork tag, which includes VPN-connected
  # networks: deny the rest explicitly so only the ports above are open.
  security_rule {
    name                       = "deny-other-inbound"
    priority                   = 4000
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "*"
    source_port_range          = "*"
    destination_port_range     = "*"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
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
  data_disk_device        = "/dev/disk/azure/scsi1/lun0" # the data disk attachment below uses LUN 0
  topology_yaml           = var.topology_yaml
  mirrorfs_package_url    = var.mirrorfs_package_url
  mirrorfs_package_sha256 = var.mirrorfs_package_sha256
  tls_ca_pem              = var.tls_ca_pem
  tls_cert_pem            = var.tls_cert_pem
  tls_key_pem             = var.tls_key_pem
}

resource "azurerm_network_interface" "meta" {
  count               = var.meta_node_count
  name                = "${local.base_name}-meta-${local.meta_nodes[count.index].id}"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = local.tags

  ip_configuration {
    name                          = "private"
    subnet_id                     = var.subnet_id
    private_ip_address_allocation = "Static"
    private_ip_address            = local.meta_nodes[count.index].ip
  }
}

resource "azurerm_network_interface_security_group_association" "meta" {
  count                     = var.meta_node_count
  network_interface_id      = azurerm_network_interface.meta[count.index].id
  network_security_group_id = azurerm_network_security_group.nodes.id
}

resource "azurerm_linux_virtual_machine" "meta" {
  count                 = var.meta_node_count
  name                  = "${local.base_name}-meta-${local.meta_nodes[count.index].id}"
  resource_group_name   = var.resource_group_name
  location              = var.location
  zone                  = local.meta_nodes[count.index].zone
  size                  = var.meta_vm_size
  admin_username        = var.admin_username
  network_interface_ids = [azurerm_network_interface.meta[count.index].id]
  custom_data           = base64encode(module.meta_bootstrap[count.index].user_data)
  tags                  = local.tags

  admin_ssh_key {
    username   = var.admin_username
    public_key = var.admin_ssh_public_key
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.node.id]
  }

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }

  source_image_reference {
    publisher = "Canonical"
    offer     = "ubuntu-24_04-lts"
    sku       = "server"
    version   = "latest"
  }

  lifecycle {
    # Roll Raft members one at a time instead of replacing them on a bootstrap change.
    ignore_changes = [custom_data]
  }
}

# A separate managed disk keeps the replica's Raft log and RocksDB when its VM is replaced.
resource "azurerm_managed_disk" "meta_data" {
  count                = var.meta_node_count
  name                 = "${local.base_name}-meta-${local.meta_nodes[count.index].id}-data"
  resource_group_name  = var.resource_group_name
  location             = var.location
  zone                 = local.meta_nodes[count.index].zone
  storage_account_type = "Premium_LRS"
  create_option        = "Empty"
  disk_size_gb         = var.data_disk_size_gb
  tags                 = local.tags
}

resource "azurerm_virtual_machine_data_disk_attachment" "meta_data" {
  count              = var.meta_node_count
  managed_disk_id    = azurerm_managed_disk.meta_data[count.index].id
  virtual_machine_id = azurerm_linux_virtual_machine.meta[count.index].id
  lun                = 0
  caching            = "None"
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
    token_source    = "azure"
    role_arn        = var.aws_source_reader.role_arn
    audience        = var.aws_source_reader.audience
    sts_region      = var.aws_source_reader.sts_region
    azure_client_id = azurerm_user_assigned_identity.node.client_id
  }
}

resource "azurerm_network_interface" "sync" {
  count               = local.is_mirror ? 1 : 0
  name                = "${local.base_name}-sync"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = local.tags

  ip_configuration {
    name                          = "private"
    subnet_id                     = var.subnet_id
    private_ip_address_allocation = "Static"
    private_ip_address            = local.sync_ip
  }
}

resource "azurerm_network_interface_security_group_association" "sync" {
  count                     = local.is_mirror ? 1 : 0
  network_interface_id      = azurerm_network_interface.sync[0].id
  network_security_group_id = azurerm_network_security_group.nodes.id
}

resource "azurerm_linux_virtual_machine" "sync" {
  count                 = local.is_mirror ? 1 : 0
  name                  = "${local.base_name}-sync"
  resource_group_name   = var.resource_group_name
  location              = var.location
  zone                  = var.zones[0]
  size                  = var.sync_vm_size
  admin_username        = var.admin_username
  network_interface_ids = [azurerm_network_interface.sync[0].id]
  custom_data           = base64encode(module.sync_bootstrap[0].user_data)
  tags                  = local.tags

  admin_ssh_key {
    username   = var.admin_username
    public_key = var.admin_ssh_public_key
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.node.id]
  }

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }

  source_image_reference {
    publisher = "Canonical"
    offer     = "ubuntu-24_04-lts"
    sku       = "server"
    version   = "latest"
  }
}
