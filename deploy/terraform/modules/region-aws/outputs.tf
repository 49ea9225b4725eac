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
  value       = "s3://${aws_s3_bucket.blocks.bucket}/${var.block_prefix}?region=${data.aws_region.current.name}"
}

output "meta_peers" {
  description = "The region's metadata peers as ID=HOST:PORT, in node order."
  value       = local.meta_peers
}

output "sync_address" {
  description = "HOST:PORT of the sync service; null in a primary region."
  value       = local.is_mirror ? "${local.sync_ip}:${var.sync_port}" : null
}

output "bucket_arn" {
  description = "ARN of the blocks bucket (a mirror in AWS passes it in source_bucket_arns)."
  value       = aws_s3_bucket.blocks.arn
}

output "node_role_arn" {
  description = "ARN of the IAM role the metadata and sync nodes run as."
  value       = aws_iam_role.node.arn
}

output "reader_role_arns" {
  description = "ARN of each federated reader's read-only role, keyed like federated_readers: the mirror's nodes assume it with their web identity token (AWS_ROLE_ARN)."
  value       = { for k, role in aws_iam_role.reader : k => role.arn }
}

output "aws_region" {
  description = "The AWS region of the bucket (for a federated reader's STS and S3 calls: AWS_REGION)."
  value       = data.aws_region.current.name
}

output "meta_instance_ids" {
  description = "EC2 instance ids of the metadata nodes, in node order."
  value       = aws_instance.meta[*].id
}

output "security_group_id" {
  description = "ID of the nodes' security group (add client rules to it if client_cidrs is not enough)."
  value       = aws_security_group.nodes.id
}
