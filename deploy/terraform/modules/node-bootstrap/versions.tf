terraform {
  # check blocks (node_needs_topology) need 1.5.
  required_version = ">= 1.5"
}
