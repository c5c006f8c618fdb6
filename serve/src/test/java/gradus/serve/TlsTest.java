package gradus.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

import static org.junit.jupiter.api.Assertions.*;

/** HTTPS from a keystore: a self-signed certificate made with keytool, trusted by the client. */
class TlsTest {
    @Test
    void servesHttpsFromAKeystore(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "gradus", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit").redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));

        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            trust.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);

        try (GradusServer server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0)
                .withTls(store, "changeit").withAccessLog(false)).start()) {
            HttpClient client = HttpClient.newBuilder().sslContext(ctx).build();
            var res = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/v2/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, res.statusCode());
        }
        var bad = assertThrows(IllegalArgumentException.class, () -> new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0)
                .withTls(store, "wrong")).start());
        assertTrue(bad.getMessage().contains("server.p12"), bad.getMessage());
    }
}
