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
  value       = "gs://${google_storage_bucket.blocks.name}/${var.block_prefix}"
}

output "meta_peers" {
  description = "The region's metadata peers as ID=HOST:PORT, in node order."
  value       = local.meta_peers
}

output "sync_address" {
  description = "HOST:PORT of the sync service; null in a primary region."
  value       = local.is_mirror ? "${local.sync_ip}:${var.sync_port}" : null
}

output "service_account_email" {
  description = "Email of the nodes' service account."
  value       = google_service_account.node.email
}

output "service_account_unique_id" {
  description = "Unique id of the nodes' service account: the subject to pass to region-aws federated_readers."
  value       = google_service_account.node.unique_id
}

output "bucket_name" {
  description = "Name of the blocks bucket (a mirror in GCP passes it in source_bucket_names)."
  value       = google_storage_bucket.blocks.name
}
