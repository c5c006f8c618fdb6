package gradus.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static gradus.serve.Fixtures.get;
import static gradus.serve.Fixtures.json;
import static gradus.serve.Fixtures.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hashed keys scoped to models, the audit log, reloading keys without a restart, migrating old files. */
class AccessControlTest {
    private static final Set<ApiKeys.Role> INFER = EnumSet.of(ApiKeys.Role.INFER), ADMIN = EnumSet.allOf(ApiKeys.Role.class);

    @TempDir
    Path dir;

    @Test
    void scopedHashedKeysAuditAndReload() throws Exception {
        Path models = dir.resolve("models");
        Fixtures.save(models, "tiny", "1", 1);
        Fixtures.save(models, "second", "1", 2);
        String reader = ApiKeys.generateKey(), ops = ApiKeys.generateKey(), late = ApiKeys.generateKey();
        Path keysFile = dir.resolve("keys.txt");
        Files.writeString(keysFile, "# name hash roles models\n"
                + ApiKeys.line("reader", reader, INFER, Set.of("tiny")) + "\n"
                + ApiKeys.line("ops", ops, ADMIN, Set.of()) + "\n"
                + "legacy-key:infer\n");
        String stored = Files.readString(keysFile);
        assertFalse(stored.contains(reader) || stored.contains(ops), "keys must be stored hashed");
        Path auditFile = dir.resolve("audit.jsonl");
        AuditLog audit = AuditLog.open(auditFile);
        ApiKeys keys = ApiKeys.watch(keysFile, audit);
        try (GradusServer server = new GradusServer(ServeOptions.defaults().withModelsDir(models).withAddress("127.0.0.1", 0)
                .withApiKeys(keys).withReloadInterval(Duration.ZERO).withAccessLog(false)).start()) {
            String base = "http://127.0.0.1:" + server.port();
            assertEquals(200, get(base + "/v2/models/tiny", "Authorization", "Bearer " + reader).statusCode());
            var outOfScope = get(base + "/v2/models/second", "Authorization", "Bearer " + reader);
            assertEquals(403, outOfScope.statusCode());
            assertTrue(json(outOfScope.body()).get("error").toString().contains("may not use model 'second'"), outOfScope.body());
            assertEquals(200, get(base + "/v2/models/second", "Authorization", "Bearer legacy-key").statusCode(), "old plaintext entries still work");
            assertEquals(401, get(base + "/v2/models/tiny", "Authorization", "Bearer " + late).statusCode());
            assertEquals(403, post(base + "/v2/repository/models/tiny/unload", "", "Authorization", "Bearer " + reader).statusCode());
            assertEquals(200, post(base + "/v2/repository/models/second/unload", "", "Authorization", "Bearer " + ops).statusCode());

            // a key added to the file works without a restart; a removed one stops working
            Files.writeString(keysFile, ApiKeys.line("ops", ops, ADMIN, Set.of()) + "\n" + ApiKeys.line("late", late, INFER, Set.of()) + "\n");
            awaitTrue(() -> status(base, late) == 200, "the added key was not picked up");
            assertEquals(401, status(base, reader));
            // a broken file keeps the keys in force
            Files.writeString(keysFile, "late sha256:zz:yy infer\n");
            awaitTrue(() -> status(base, late) == 200 && readQuietly(auditFile).contains("keys_reload_failed"), "the failed reload was not audited");
            assertEquals(200, status(base, late));
        }
        audit.close();

        List<String> lines = Files.readAllLines(auditFile);
        String all = String.join("\n", lines);
        assertFalse(all.contains(reader) || all.contains(ops) || all.contains(late) || all.contains("legacy-key"), "the audit log must not hold keys");
        List<Map<String, Object>> events = lines.stream().map(AccessControlTest::parse).toList();
        assertTrue(events.stream().anyMatch(e -> "refused".equals(e.get("event")) && Integer.valueOf(403).equals(e.get("status"))
                && "reader".equals(e.get("key")) && "second".equals(e.get("model"))), all);
        assertTrue(events.stream().anyMatch(e -> "refused".equals(e.get("event")) && Integer.valueOf(401).equals(e.get("status"))
                && "invalid API key".equals(e.get("reason"))), all);
        assertTrue(events.stream().anyMatch(e -> "refused".equals(e.get("event")) && "/v2/repository/models/tiny/unload".equals(e.get("path"))
                && e.get("reason").toString().contains("admin")), all);
        assertTrue(events.stream().anyMatch(e -> "admin".equals(e.get("event")) && "ops".equals(e.get("key"))
                && "/v2/repository/models/second/unload".equals(e.get("path")) && Integer.valueOf(200).equals(e.get("status"))), all);
        assertTrue(events.stream().anyMatch(e -> "keys_reloaded".equals(e.get("event"))), all);
        assertTrue(events.stream().allMatch(e -> e.get("time") instanceof String), all);
    }

    @Test
    void oldFilesAreMigratedToHashesAndKeepWorking() {
        String old = "# team keys\nreader-key:infer, admin-key:admin\n";
        String migrated = ApiKeys.migrate(old);
        assertFalse(migrated.contains("reader-key") || migrated.contains("admin-key"), migrated);
        assertTrue(migrated.startsWith("# team keys\n"), migrated);
        ApiKeys keys = ApiKeys.parse(migrated);
        assertEquals(INFER, keys.roles("reader-key"));
        assertEquals(ADMIN, keys.roles("admin-key"));
        assertNull(keys.roles("wrong"));
        assertEquals("key-2", keys.find("admin-key").name());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.parse("bob sha256:00:11 infer"));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("'bob'"), e.getMessage());
    }

    private static int status(String base, String key) {
        try {
            return get(base + "/v2/models/tiny", "Authorization", "Bearer " + key).statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String message) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError(message);
            Thread.sleep(200);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String line) {
        try {
            return Http.JSON.readValue(line, Map.class);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + line);
        }
    }
}
