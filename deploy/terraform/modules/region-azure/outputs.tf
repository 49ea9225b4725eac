output "region_name" {
  description = "The region's name in the topology file."
  value       = var.region_name
}

output "role" {
  description = "The region's initial role (primary or mirror)."
  value       = var.role
}

output "store_uri" {
  description = "The region's object store URI for the topology file (docs/topology.md)."
  value       = "az://${azurerm_storage_account.blocks.name}/${azurerm_storage_container.blocks.name}/${var.block_prefix}"
}

output "meta_peers" {
  description = "The region's metadata peers as ID=HOST:PORT, in node order."
  value       = local.meta_peers
}

output "sync_address" {
  description = "HOST:PORT of the sync service; null in a primary region."
  value       = local.is_mirror ? "${local.sync_ip}:${var.sync_port}" : null
}

output "identity_principal_id" {
  description = "Object id of the nodes' managed identity: the subject to pass to region-aws federated_readers (with issuer sts.windows.net/TENANT_ID/)."
  value       = azurerm_user_assigned_identity.node.principal_id
}

output "identity_client_id" {
  description = "Client id of the nodes' managed identity (what the Azure SDK on the nodes selects)."
  value       = azurerm_user_assigned_identity.node.client_id
}

output "container_id" {
  description = "Resource id of the blocks container (a mirror in Azure passes it in source_container_ids)."
  value       = azurerm_storage_container.blocks.id
}
