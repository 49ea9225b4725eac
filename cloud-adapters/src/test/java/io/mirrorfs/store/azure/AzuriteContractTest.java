package io.mirrorfs.store.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStoreContractTest;
import io.mirrorfs.store.ObjectStores;
import io.mirrorfs.store.StoreConfigException;
import io.mirrorfs.store.StoreOptions;
import org.junit.jupiter.api.Test;

/** The contract against Azurite (a real Azure Blob server process) on loopback. */
class AzuriteContractTest extends ObjectStoreContractTest {

    private AzuriteServer server;

    private StoreOptions options() {
        return StoreOptions.defaults()
                .with("azure.accountKey", AzuriteServer.ACCOUNT_KEY)
                .with("multipartThresholdBytes", String.valueOf(2 << 20))
                .with("partSizeBytes", String.valueOf(1 << 20));
    }

    @Override
    protected ObjectStore openStore() throws Exception {
        server = AzuriteServer.start();
        new BlobServiceClientBuilder().endpoint(server.endpoint())
                .httpClient(new com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder().build())
                .credential(new StorageSharedKeyCredential(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY))
                .buildClient().createBlobContainer("contract");
        return ObjectStores.open("az://" + AzuriteServer.ACCOUNT + "/contract/pre?endpoint=" + server.endpoint(), options());
    }

    @Override
    protected void stopServers() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected String secretMarker() {
        return AzuriteServer.ACCOUNT_KEY.substring(0, 20);
    }

    @Test
    void missingContainerAndWrongKeyAreClearConfigErrors() throws Exception {
        try (ObjectStore s = ObjectStores.open("az://" + AzuriteServer.ACCOUNT + "/nope?endpoint=" + server.endpoint(),
                options())) {
            assertThatThrownBy(s::checkAccess).isInstanceOf(StoreConfigException.class)
                    .hasMessageContaining("'nope' does not exist");
        }
        String wrongKey = java.util.Base64.getEncoder().encodeToString("not-the-key-at-all-0123456789".getBytes());
        try (ObjectStore s = ObjectStores.open("az://" + AzuriteServer.ACCOUNT + "/contract?endpoint=" + server.endpoint(),
                options().with("azure.accountKey", wrongKey))) {
            assertThatThrownBy(s::checkAccess).isInstanceOf(StoreConfigException.class)
                    .hasMessageContaining("access denied").hasMessageNotContaining(wrongKey);
        }
        assertThat(options().toString()).doesNotContain(AzuriteServer.ACCOUNT_KEY);
    }
}
