output "topology_yaml" {
  description = "The deployment's topology file (docs/topology.md): save it with `terraform output -raw topology_yaml > topology.yaml` and pass it to the CLI's --topology."
  value       = local.topology_yaml
}

output "mount_commands" {
  description = "Per region, the command that mounts the volume on a client in that region (the client reads from its own region's metadata group)."
  value = {
    for r in local.regions :
    r.name => "mirrorfs mount --meta ${replace(r.meta, ", ", ",")} ${local.mount_point}"
  }
}
