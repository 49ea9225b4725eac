package io.mirrorfs.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.api.topology.Region;
import io.mirrorfs.api.topology.Topology;
import io.mirrorfs.api.topology.TopologyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The multi-region example's topology template, rendered with values shaped like the region
 * modules' outputs, is a topology file the real loader accepts (docs/topology.md).
 */
class TopologyTemplateTest {

    private static final Path EXAMPLE = DeployTree.terraformDir().resolve("examples/multi-region");

    private static String template() throws IOException {
        return Files.readString(EXAMPLE.resolve("topology.yaml.tftpl"));
    }

    private static Map<String, Object> region(String name, String role, String store, String meta, String sync) {
        return Map.of("name", name, "role", role, "store", store, "meta", meta, "sync", sync);
    }

    /** What the example passes to templatefile for an AWS primary, a GCP mirror and an Azure mirror. */
    private static Map<String, Object> sampleVariables() {
        return Map.of("volume", "datasets", "regions", List.of(
                region("aws-us-east-1", "primary", "s3://mirrorfs-blocks-use1/mirrorfs?region=us-east-1",
                        "n1=10.0.1.10:9860, n2=10.0.2.10:9860, n3=10.0.3.10:9860", ""),
                region("gcp-europe-west4", "mirror", "gs://mirrorfs-blocks-euw4/mirrorfs",
                        "n1=10.1.0.10:9860, n2=10.1.0.11:9860, n3=10.1.0.12:9860", "10.1.0.100:9870"),
                region("azure-westeurope", "mirror", "az://mirrorfsblocksweu/blocks/mirrorfs",
                        "n1=10.2.0.10:9860, n2=10.2.0.11:9860, n3=10.2.0.12:9860", "10.2.0.100:9870")));
    }

    @Test
    void theRenderedTemplateIsAValidTopology() throws Exception {
        String yaml = TemplateRenderer.render(template(), sampleVariables());

        Topology topology = Topology.parse(yaml);

        assertThat(topology.volume()).isEqualTo("datasets");
        assertThat(topology.regions()).extracting(Region::name)
                .containsExactly("aws-us-east-1", "gcp-europe-west4", "azure-westeurope");
        assertThat(topology.primary().name()).isEqualTo("aws-us-east-1");
        assertThat(topology.primary().meta()).hasSize(3);
        assertThat(topology.mirrors()).hasSize(2).allSatisfy(m -> assertThat(m.sync()).isPresent());
        assertThat(yaml).doesNotContain("sync: \n").doesNotContain("\n\n");
    }

    @Test
    void theTemplateFieldsAreTheOnesTheExamplePasses() throws IOException {
        Set<String> templateFields = new LinkedHashSet<>();
        Matcher field = Pattern.compile("\\$\\{\\s*region\\.(\\w+)").matcher(template());
        while (field.find()) {
            templateFields.add(field.group(1));
        }
        assertThat(templateFields).containsExactlyInAnyOrder("name", "role", "store", "meta", "sync");

        Path main = EXAMPLE.resolve("main.tf");
        Map<String, Object> tree = HclParser.parseValid(List.of(main)).get(main);
        TerraformModule example = TerraformModule.of(EXAMPLE, Map.of(main, tree));
        String regionsExpression = example.strings().stream()
                .map(TerraformModule.Located::text)
                .filter(s -> s.contains("for r in [module.primary_aws"))
                .findFirst().orElseThrow(() -> new AssertionError("local.regions not found in " + main));
        for (String name : templateFields) {
            assertThat(regionsExpression).as("local.regions sets %s", name).containsPattern("\\b" + name + "\\s*=");
        }
        String templateCall = example.strings().stream()
                .map(TerraformModule.Located::text)
                .filter(s -> s.contains("templatefile(")).findFirst().orElseThrow();
        assertThat(templateCall).contains("topology.yaml.tftpl").containsPattern("volume\\s*=").containsPattern("regions\\s*=");
    }

    @Test
    void aRenderingWithTwoPrimariesIsRejectedByTheLoader() throws IOException {
        Map<String, Object> twoPrimaries = Map.of("volume", "datasets", "regions", List.of(
                region("aws-us-east-1", "primary", "s3://a/p?region=us-east-1", "n1=10.0.1.10:9860", ""),
                region("gcp-europe-west4", "primary", "gs://b/p", "n1=10.1.0.10:9860", "10.1.0.100:9870")));

        String yaml = TemplateRenderer.render(template(), twoPrimaries);

        assertThatThrownBy(() -> Topology.parse(yaml)).isInstanceOf(TopologyException.class);
    }

    @Test
    void theRendererRejectsWhatItDoesNotImplement() {
        assertThatThrownBy(() -> TemplateRenderer.render("${join(\",\", xs)}", Map.of("xs", List.of("a"))))
                .hasMessageContaining("only attribute paths");
        assertThatThrownBy(() -> TemplateRenderer.render("%{ for x in xs }${x}", Map.of("xs", List.of("a"))))
                .hasMessageContaining("missing %{ endfor }");
        assertThatThrownBy(() -> TemplateRenderer.render("${missing}", Map.of()))
                .hasMessageContaining("unknown template variable missing");
        assertThat(TemplateRenderer.render("%{ for x in xs ~}\n  - ${x}\n%{ endfor ~}\nend $${literal}\n",
                Map.of("xs", List.of("a", "b")))).isEqualTo("  - a\n  - b\nend ${literal}\n");
    }
}
