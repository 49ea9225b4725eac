output "user_data" {
  description = "The cloud-init document (#cloud-config) for the node. Contains the TLS private key."
  value       = templatefile("${path.module}/templates/cloud-init.yaml.tftpl", { files = local.files })
  sensitive   = true
}
