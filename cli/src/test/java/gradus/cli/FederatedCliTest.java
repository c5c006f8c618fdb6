package gradus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gradus federated simulate | coordinator | client, privacy-audit and apikeys from the command line. */
class FederatedCliTest {
    private static final String RECIPE = """
            name: fed-sample
            seed: 3
            data: {train: "fashion-mnist-sample:train", test: "fashion-mnist-sample:test"}
            model:
              type: Sequential
              layers: [{type: Flatten}, {type: Linear, in: 784, out: 10}]
            optimizer: {type: sgd, lr: 0.1}
            training: {epochs: 1, batch_size: 32}
            federated: {clients: 3, alpha: 0.5, rounds: 2, min_clients: 3, round_timeout_s: 30}
            """;

    @TempDir
    Path dir;

    @Test
    void simulateThenAuditTheModel() throws Exception {
        Path recipe = Files.writeString(dir.resolve("fed.yaml"), RECIPE);
        var sim = CliTest.cli("federated", "simulate", recipe.toString(), "--rounds", "3", "--out", dir.toString());
        assertEquals(0, sim.code(), sim.err());
        assertTrue(sim.out().contains("round 3/3"), sim.out());
        Matcher m = Pattern.compile("round 3/3 .*accuracy (\\d\\.\\d+)").matcher(sim.out());
        assertTrue(m.find(), sim.out());
        assertTrue(Double.parseDouble(m.group(1)) > 0.6, sim.out());

        var audit = CliTest.cli("privacy-audit", dir.resolve("model").toString(), "--train", "fashion-mnist-sample:train",
                "--test", "fashion-mnist-sample:test", "--json");
        assertEquals(0, audit.code(), audit.err());
        JsonNode j = new ObjectMapper().readTree(audit.out());
        double auc = j.path("loss_threshold").path("auc").asDouble(-1);
        assertTrue(auc > 0.3 && auc < 0.7, audit.out()); // a linear model after 3 rounds hardly overfits
        assertTrue(j.path("members").asInt() > 0 && j.path("members").asInt() == j.path("non_members").asInt(), audit.out());

        var bad = CliTest.cli("privacy-audit", dir.resolve("model").toString(), "--train", "nosuch:train", "--test", "fashion-mnist-sample:test");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unknown data set 'nosuch:train'"), bad.err());
    }

    @Test
    void apiKeysAddAndHash() throws Exception {
        Path keys = dir.resolve("keys.txt");
        var add = CliTest.cli("apikeys", "add", keys.toString(), "--name", "ci", "--role", "admin", "--models", "a,b");
        assertEquals(0, add.code(), add.err());
        String key = add.out().strip();
        assertTrue(key.startsWith("gk_"), add.out());
        String text = Files.readString(keys);
        assertFalse(text.contains(key));
        assertEquals(gradus.serve.ApiKeys.Role.values().length, gradus.serve.ApiKeys.read(keys).roles(key).size());
        assertEquals(java.util.Set.of("a", "b"), gradus.serve.ApiKeys.read(keys).find(key).models());

        Path old = Files.writeString(dir.resolve("old.txt"), "plain-key:infer\n");
        assertEquals(0, CliTest.cli("apikeys", "hash", old.toString()).code());
        assertFalse(Files.readString(old).contains("plain-key"));
        assertTrue(gradus.serve.ApiKeys.read(old).roles("plain-key").contains(gradus.serve.ApiKeys.Role.INFER));
    }

    /** Real processes: a coordinator and three clients; one client is killed while it trains in round 1. */
    @Test
    void aKilledClientProcessDoesNotStallTheRound() throws Exception {
        Path recipe = Files.writeString(dir.resolve("fed.yaml"), RECIPE);
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token\n");
        Process coordinator = gradus("federated", "coordinator", recipe.toString(), "--port", "0", "--token-file", token.toString(),
                "--out", dir.toString(), "--enrolment-s", "60");
        List<Process> all = new ArrayList<>(List.of(coordinator));
        try {
            var coordinatorOut = new BufferedReader(new InputStreamReader(coordinator.getInputStream(), StandardCharsets.UTF_8));
            String first = coordinatorOut.readLine();
            Matcher port = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(String.valueOf(first));
            assertTrue(port.find(), "coordinator said: " + first);
            String url = "http://127.0.0.1:" + port.group(1);
            List<Process> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Process c = gradus("federated", "client", recipe.toString(), "--coordinator", url, "--name", "c" + i,
                        "--partition", String.valueOf(i), "--token-file", token.toString());
                clients.add(c);
                all.add(c);
            }
            var victim = new BufferedReader(new InputStreamReader(clients.get(2).getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = victim.readLine()) != null && !line.startsWith("round 1: training")) { /* its banner */ }
            assertTrue(line != null, "the client never started round 1");
            clients.get(2).destroyForcibly();

            List<String> rounds = new ArrayList<>();
            while ((line = coordinatorOut.readLine()) != null) rounds.add(line);
            assertTrue(coordinator.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, coordinator.exitValue(), String.join("\n", rounds) + new String(coordinator.getErrorStream().readAllBytes()));
            String log = first + "\n" + String.join("\n", rounds) + "\nstderr: " + new String(coordinator.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(log.contains("round 1/2  clients 2/3"), log);
            assertTrue(log.contains("round 2/2  clients 2/2"), log);
            assertTrue(Files.isRegularFile(dir.resolve("model").resolve("model.safetensors")), log);
            for (int i = 0; i < 2; i++) {
                assertTrue(clients.get(i).waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, clients.get(i).exitValue(), new String(clients.get(i).getErrorStream().readAllBytes()));
            }
        } finally {
            for (Process p : all) p.destroyForcibly();
        }
    }

    private static Process gradus(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dgradus.home=" + Path.of("..").toAbsolutePath().normalize(),
                "-cp", System.getProperty("java.class.path"), "gradus.cli.Main"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    }
}
