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
