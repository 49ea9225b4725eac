package io.mirrorfs.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The text format as Prometheus parses it, and the HTTP endpoint serving it, over a real socket. */
class PrometheusTextTest {

    @Test
    void groupsSamplesUnderTheirFamilyAndEscapesLabels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("region", "eu \"west\"\\1\nx");
        PrometheusText text = new PrometheusText()
                .family("mirrorfs_a", PrometheusText.Type.GAUGE, "first\nline")
                .family("mirrorfs_b_total", PrometheusText.Type.COUNTER, "second");
        text.sample("mirrorfs_b_total", 3).sample("mirrorfs_a", labels, 1.5).sample("mirrorfs_a", Map.of("region", "b"), 7);
        assertThat(text.render()).isEqualTo("""
                # HELP mirrorfs_a first\\nline
                # TYPE mirrorfs_a gauge
                mirrorfs_a{region="eu \\"west\\"\\\\1\\nx"} 1.5
                mirrorfs_a{region="b"} 7
                # HELP mirrorfs_b_total second
                # TYPE mirrorfs_b_total counter
                mirrorfs_b_total 3
                """);
    }

    @Test
    void formatsSpecialAndLargeValues() {
        assertThat(PrometheusText.formatValue(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusText.formatValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.formatValue(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(PrometheusText.formatValue(-2)).isEqualTo("-2");
        assertThat(PrometheusText.formatValue(1L << 40)).isEqualTo("1099511627776");
        assertThat(PrometheusText.formatValue(0.25)).isEqualTo("0.25");
    }

    @Test
    void refusesMalformedNamesAndUndeclaredFamilies() {
        PrometheusText text = new PrometheusText().family("ok", PrometheusText.Type.GAUGE, "h");
        assertThatThrownBy(() -> text.family("bad-name", PrometheusText.Type.GAUGE, "h"))
                .hasMessageContaining("bad-name");
        assertThatThrownBy(() -> text.family("copies", PrometheusText.Type.COUNTER, "h")).hasMessageContaining("_total");
        assertThatThrownBy(() -> text.family("ok", PrometheusText.Type.GAUGE, "h")).hasMessageContaining("twice");
        assertThatThrownBy(() -> text.sample("missing", 1)).hasMessageContaining("undeclared");
        assertThatThrownBy(() -> text.sample("ok", Map.of("1x", "v"), 1)).hasMessageContaining("label");
        assertThat(text.render()).doesNotContain("bad-name", "copies", "missing");
    }

    @Test
    void servesTheCurrentTextOnGetMetricsOnly() throws Exception {
        AtomicLong value = new AtomicLong(1);
        try (MetricsHttpServer server = MetricsHttpServer.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                () -> {
                    if (value.get() < 0) {
                        throw new IllegalStateException("broken");
                    }
                    return new PrometheusText().family("v", PrometheusText.Type.GAUGE, "value")
                            .sample("v", value.get()).render();
                })) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.headers().firstValue("Content-Type")).contains(PrometheusText.CONTENT_TYPE);
            assertThat(first.body()).endsWith("v 1\n");
            value.set(42);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).endsWith("v 42\n");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/other")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
            value.set(-1);
            HttpResponse<String> broken = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(broken.statusCode()).isEqualTo(500);
            assertThat(broken.body()).contains("broken");
        }
    }
}
