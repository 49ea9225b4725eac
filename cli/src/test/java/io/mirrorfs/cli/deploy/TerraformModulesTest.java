package io.mirrorfs.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks deploy/terraform the way `terraform validate` would, short of provider schemas: no
 * terraform binary is reachable here, so the files are parsed with HashiCorp's HCL parser
 * (hcl2json) and the declarations cross-checked. TerraformChecksNegativeTest proves each check can fail.
 */
class TerraformModulesTest {

    private static Map<Path, Map<String, Object>> parsed;
    private static final Map<Path, TerraformModule> modules = new HashMap<>();

    @BeforeAll
    static void parseEverything() {
        List<Path> files = DeployTree.terraformFiles();
        assertThat(files).as("Terraform files under deploy/terraform").hasSizeGreaterThanOrEqualTo(15);
        parsed = HclParser.parseValid(files);
        assertThat(parsed).hasSameSizeAs(files);
    }

    private static TerraformModule module(Path dir) {
        return modules.computeIfAbsent(dir.normalize(), d -> TerraformModule.of(d, parsed));
    }

    private static final Function<Path, TerraformModule> LOAD = TerraformModulesTest::module;

    @Test
    void theExpectedModulesAndExampleExist() {
        Path root = DeployTree.terraformDir();
        assertThat(DeployTree.terraformModuleDirs()).containsAll(List.of(
                root.resolve("modules/region-aws"),
                root.resolve("modules/region-gcp"),
                root.resolve("modules/region-azure"),
                root.resolve("modules/node-bootstrap"),
                root.resolve("examples/multi-region")));
    }

    /** Runs a check on every module and example, so one run shows every problem, each with its folder. */
    private static List<String> inEveryModule(Function<TerraformModule, List<String>> check) {
        Path root = DeployTree.terraformDir();
        List<String> problems = new ArrayList<>();
        for (Path dir : DeployTree.terraformModuleDirs()) {
            check.apply(module(dir)).forEach(p -> problems.add(root.relativize(dir) + ": " + p));
        }
        return problems;
    }

    @Test
    void everyReferenceResolvesInItsModule() {
        for (Path dir : DeployTree.terraformModuleDirs()) {
            assertThat(module(dir).strings()).as("expressions found in %s", dir).isNotEmpty();
        }
        assertThat(inEveryModule(m -> TerraformChecks.unresolvedReferences(m, LOAD))).isEmpty();
    }

    @Test
    void everyModuleCallPassesExactlyTheDeclaredInputs() {
        assertThat(inEveryModule(m -> TerraformChecks.badModuleCalls(m, LOAD))).isEmpty();
        int calls = DeployTree.terraformModuleDirs().stream().mapToInt(d -> module(d).moduleCalls().size()).sum();
        // 3 in the example, 2 (meta + sync bootstrap) in each region module.
        assertThat(calls).isEqualTo(9);
    }

    @Test
    void everyVariableAndOutputHasADescription() {
        assertThat(inEveryModule(TerraformChecks::missingDescriptions)).isEmpty();
    }

    @Test
    void variablesWithAConstrainedDomainAreValidated() {
        assertThat(inEveryModule(TerraformChecks::missingValidations)).isEmpty();
    }

    @Test
    void regionModulesShareTheInterfaceTheExampleRendersTheTopologyFrom() {
        Path root = DeployTree.terraformDir();
        List<String> topologyOutputs = List.of("region_name", "role", "store_uri", "meta_peers", "sync_address");
        List<String> commonInputs = List.of("region_name", "role", "meta_node_count", "meta_port", "peer_cidrs",
                "topology_yaml", "mirrorfs_package_url", "mirrorfs_package_sha256", "tls_ca_pem", "tls_cert_pem", "tls_key_pem");
        for (String cloud : List.of("aws", "gcp", "azure")) {
            TerraformModule region = module(root.resolve("modules/region-" + cloud));
            assertThat(region.outputs()).as("outputs of region-%s", cloud).containsKeys(topologyOutputs.toArray(String[]::new));
            assertThat(region.variables()).as("variables of region-%s", cloud).containsKeys(commonInputs.toArray(String[]::new));
            assertThat(region.variables().get("meta_node_count")).as("region-%s meta_node_count", cloud).containsEntry("default", 3);
            for (String secret : List.of("tls_ca_pem", "tls_cert_pem", "tls_key_pem")) {
                assertThat(region.variables().get(secret)).as("region-%s %s", cloud, secret).containsEntry("sensitive", true);
            }
        }
    }
}
