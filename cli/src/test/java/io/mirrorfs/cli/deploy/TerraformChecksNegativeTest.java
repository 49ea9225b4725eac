package io.mirrorfs.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each Terraform check, shown a deliberately broken snippet, reports it: the checks can fail. */
class TerraformChecksNegativeTest {

    @TempDir
    Path dir;

    private TerraformModule load(Path moduleDir, Map<Path, Map<String, Object>> parsed) {
        return TerraformModule.of(moduleDir, parsed);
    }

    private Map<Path, Map<String, Object>> parseAll(Path... files) {
        return HclParser.parseValid(List.of(files));
    }

    @Test
    void theParserRejectsBrokenSyntax() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.tf"), "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n");
        Path fine = Files.writeString(dir.resolve("fine.tf"), "locals {\n  a = 1\n}\n");

        HclParser.Result result = HclParser.parse(List.of(broken, fine));

        assertThat(result.errors()).containsOnlyKeys(broken);
        assertThat(result.errors().get(broken)).contains("Unclosed configuration block");
        assertThat(result.files()).containsOnlyKeys(fine);
        assertThatThrownBy(() -> HclParser.parseValid(List.of(broken))).hasMessageContaining("HCL syntax errors");
    }

    @Test
    void undeclaredReferencesAreReported() throws IOException {
        Path file = Files.writeString(dir.resolve("main.tf"), """
                variable "declared" {
                  description = "d"
                  type        = string
                }
                locals {
                  ok = var.declared
                }
                resource "aws_s3_bucket" "blocks" {
                  bucket = "${var.declared}-${var.missing}"
                  tags   = { a = local.absent, b = aws_s3_bucket.other.id, c = data.aws_region.nowhere.name }
                }
                output "o" {
                  description = "d"
                  value       = "${module.ghost.x} %{ for x in local.gone }${x}%{ endfor } $${var.escaped}"
                }
                """);
        TerraformModule module = load(dir, parseAll(file));

        List<String> problems = TerraformChecks.unresolvedReferences(module, p -> load(p, Map.of()));

        assertThat(problems).containsExactlyInAnyOrder(
                "main.tf: var.missing is not declared",
                "main.tf: local.absent is not declared",
                "main.tf: resource aws_s3_bucket.other is not declared",
                "main.tf: data.aws_region.nowhere is not declared",
                "main.tf: module.ghost is not declared",
                "main.tf: local.gone is not declared");
    }

    @Test
    void outputsOfChildModulesMustExist() throws IOException {
        Path child = Files.createDirectories(dir.resolve("child"));
        Path childFile = Files.writeString(child.resolve("outputs.tf"), """
                output "present" {
                  description = "d"
                  value       = 1
                }
                """);
        Path parent = Files.createDirectories(dir.resolve("parent"));
        Path parentFile = Files.writeString(parent.resolve("main.tf"), """
                module "c" {
                  source = "../child"
                }
                locals {
                  good = module.c.present
                  bad  = module.c.absent
                }
                """);
        Map<Path, Map<String, Object>> parsed = parseAll(childFile, parentFile);
        Map<Path, TerraformModule> cache = new HashMap<>();
        Function<Path, TerraformModule> loader = p -> cache.computeIfAbsent(p, d -> load(d, parsed));

        assertThat(TerraformChecks.unresolvedReferences(loader.apply(parent), loader))
                .containsExactly("main.tf: module.c.absent: the module has no such output");
    }

    @Test
    void moduleCallsWithMissingOrUnknownInputsAreReported() throws IOException {
        Path child = Files.createDirectories(dir.resolve("child"));
        Path childFile = Files.writeString(child.resolve("variables.tf"), """
                variable "required" {
                  description = "no default"
                  type        = string
                }
                variable "optional" {
                  description = "has a default"
                  type        = string
                  default     = "x"
                }
                """);
        Path parent = Files.createDirectories(dir.resolve("parent"));
        Path parentFile = Files.writeString(parent.resolve("main.tf"), """
                module "c" {
                  source   = "../child"
                  count    = 1
                  optional = "y"
                  misspelt = "z"
                }
                module "remote" {
                  source = "hashicorp/consul/aws"
                }
                """);
        Map<Path, Map<String, Object>> parsed = parseAll(childFile, parentFile);

        List<String> problems = TerraformChecks.badModuleCalls(load(parent, parsed), p -> load(p, parsed));

        assertThat(problems).containsExactlyInAnyOrder(
                "module.c: required input required is not passed",
                "module.c: misspelt is not a variable of child",
                "module.remote: only local sources (./, ../) can be checked, got hashicorp/consul/aws");
    }

    @Test
    void missingDescriptionsAndValidationsAreReported() throws IOException {
        Path file = Files.writeString(dir.resolve("variables.tf"), """
                variable "role" {
                  type = string
                }
                variable "meta_node_count" {
                  description = "validated"
                  type        = number
                  validation {
                    condition     = var.meta_node_count % 2 == 1
                    error_message = "odd"
                  }
                }
                variable "peer_cidrs" {
                  description = "   "
                  type        = list(string)
                }
                output "silent" {
                  value = 1
                }
                """);
        TerraformModule module = load(dir, parseAll(file));

        assertThat(TerraformChecks.missingDescriptions(module)).containsExactlyInAnyOrder(
                "variable role has no description",
                "variable peer_cidrs has no description",
                "output silent has no description");
        assertThat(TerraformChecks.missingValidations(module)).containsExactlyInAnyOrder(
                "variable role has a constrained domain but no validation block",
                "variable peer_cidrs has a constrained domain but no validation block");
    }
}
