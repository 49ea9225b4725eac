output "topology_yaml" {
  description = "The deployment's topology file (docs/topology.md): save it with `terraform output -raw topology_yaml > topology.yaml` and pass it to the CLI's --topology."
  value       = local.topology_yaml
}

output "mount_commands" {
  description = "Per region, the command that mounts the volume on a client in that region (reads from its own region's metadata group and store, writes go to the current primary), given the topology file saved as topology.yaml."
  value = {
    for r in local.regions :
    r.name => "mirrorfs mount --topology topology.yaml --region ${r.name} ${local.mount_point}"
  }
}

output "reader_role_arns" {
  description = "The read-only IAM roles on the primary's blocks, per mirror region name: the mirror's sync service assumes its role with its own cloud's identity token."
  value       = module.primary_aws.reader_role_arns
}

output "azure_token_audience" {
  description = "The Entra ID application (client id) the Azure mirror's managed identity requests its AWS tokens for."
  value       = local.azure_token_audience
}
