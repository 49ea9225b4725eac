package io.mirrorfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mirrorfs.api.net.ChannelSecurity;
import io.mirrorfs.meta.server.MetaServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --tls-dir}: without it a node is plaintext; a bad folder is refused naming the file, and nothing starts. */
class TlsOptionTest {
    @TempDir
    Path dir;

    @AfterEach
    void resetProcessDefault() {
        ChannelSecurity.setProcessDefault(ChannelSecurity.plaintext());
    }

    @Test
    void withoutTheFlagOrASectionANodeIsPlaintext() throws Exception {
        MetaCommand.Start start = new MetaCommand.Start();
        new CommandLine(start).parseArgs("--id", "n1", "--peers", "n1=127.0.0.1:9860", "--data", dir.resolve("data").toString());
        MetaServerConfig config = start.config();
        assertThat(config.security().isTls()).isFalse();
        assertThat(ChannelSecurity.processDefault().isTls()).isFalse();
    }

    @Test
    void aFolderWithoutTheFilesIsRefusedNamingTheFile() {
        Path empty = dir.resolve("tls");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new MetaCommand.Start()).execute("--id", "n1", "--peers", "n1=127.0.0.1:9860",
                    "--data", dir.resolve("data").toString(), "--tls-dir", empty.toString());
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(text).isEqualTo(2);
        assertThat(text).contains(empty.resolve("ca.pem").toAbsolutePath().toString()).contains("does not exist");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing started").isFalse();
    }
}
