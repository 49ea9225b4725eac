terraform {
  required_version = ">= 1.5"

  required_providers {
    # 5.81: aws_iam_openid_connect_provider without thumbprint_list (IAM trusts the issuer's CA).
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.81, < 7.0"
    }
    google = {
      source  = "hashicorp/google"
      version = ">= 5.20, < 7.0"
    }
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.0, < 5.0"
    }
    azuread = {
      source  = "hashicorp/azuread"
      version = ">= 3.0, < 4.0"
    }
  }
}

provider "aws" {
  region = var.aws_region
}

provider "google" {
  project = var.gcp_project_id
  region  = var.gcp_region
}

provider "azuread" {
  tenant_id = var.azure_tenant_id
}

provider "azurerm" {
  features {}
  subscription_id = var.azure_subscription_id
}
