package io.mirrorfs.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** node-bootstrap's cloud-init template renders to a #cloud-config that writes the files it is given. */
class CloudInitTemplateTest {

    private static final Path TEMPLATES = DeployTree.terraformDir().resolve("modules/node-bootstrap/templates");

    private static Map<String, Object> file(String path, String permissions, String content) {
        return Map.of("path", path, "permissions", permissions,
                "content_base64", Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void rendersACloudConfigThatWritesEveryFileAndRunsTheBootstrap() throws Exception {
        String template = Files.readString(TEMPLATES.resolve("cloud-init.yaml.tftpl"));
        // A key with YAML-hostile characters: base64 keeps the document intact whatever the content.
        List<Map<String, Object>> files = List.of(
                file("/etc/mirrorfs/node.env", "0640", "MIRRORFS_SERVICE=meta\n"),
                file("/etc/mirrorfs/tls/node.key", "0640", "-----BEGIN KEY-----\n: - # {}\n-----END KEY-----\n"));

        String rendered = TemplateRenderer.render(template, Map.of("files", files));

        assertThat(rendered).startsWith("#cloud-config\n");
        Map<String, Object> config = new Yaml().load(rendered);
        List<Map<String, Object>> written = (List<Map<String, Object>>) config.get("write_files");
        assertThat(written).extracting(f -> f.get("path"))
                .containsExactly("/etc/mirrorfs/node.env", "/etc/mirrorfs/tls/node.key");
        assertThat(written).allSatisfy(f -> assertThat(f).containsEntry("encoding", "b64"));
        assertThat(new String(Base64.getDecoder().decode((String) written.get(1).get("content")), StandardCharsets.UTF_8))
                .contains(": - # {}");
        assertThat(config.get("runcmd")).isEqualTo(List.of(List.of("/usr/local/sbin/mirrorfs-bootstrap.sh")));
    }

    @Test
    void theUnitsRunTheDocumentedCommands() throws Exception {
        assertThat(Files.readString(TEMPLATES.resolve("mirrorfs-meta.service")))
                .contains("ExecStart=/opt/mirrorfs/mirrorfs meta start --topology /etc/mirrorfs/topology.yaml"
                        + " --region ${MIRRORFS_REGION} --id ${MIRRORFS_NODE_ID} --data ");
        assertThat(Files.readString(TEMPLATES.resolve("mirrorfs-sync.service")))
                .contains("ExecStart=/opt/mirrorfs/mirrorfs sync start --topology /etc/mirrorfs/topology.yaml --region ${MIRRORFS_REGION}");
    }
}
