import gradus.io.ModelDirectory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The kill test's checks, with Gradus's own readers (bench/kill-resume.sh compiles and runs it):
 *   state DIR…       prints a line "EPOCH SHA256(weights)" per DIR: its complete checkpoint (or "none" when DIR has
 *                    none yet); exit 1 when a DIR holds no consistent set (load or loadTrainingState refuses it)
 *   same RUN_A RUN_B exit 1 unless both runs ended with the same files (model/ and best/, bit for bit) and the
 *                    same metrics.jsonl apart from the wall-clock fields
 */
public final class KillResumeCheck {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "state" -> {
                for (int i = 1; i < args.length; i++) state(Path.of(args[i]));
            }
            case "same" -> same(Path.of(args[1]), Path.of(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void state(Path dir) throws Exception {
        if (!Files.exists(dir.resolve(ModelDirectory.CONFIG_FILE)) && !Files.exists(dir.resolve(ModelDirectory.MANIFEST_FILE))) {
            System.out.println("none"); // killed before the first save into it committed
            return;
        }
        try {
            ModelDirectory.load(dir);
            var state = ModelDirectory.loadTrainingState(dir).orElseThrow(() -> new IllegalStateException("no training state"));
            // The weights read through the manifest (a committed file not yet renamed is read from its temporary name).
            var weights = gradus.io.Safetensors.read(pathOf(dir, ModelDirectory.WEIGHTS_FILE)).tensors();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (var e : weights.entrySet()) {
                sha.update(e.getKey().getBytes());
                for (float v : e.getValue().toArray()) {
                    int b = Float.floatToRawIntBits(v);
                    sha.update(new byte[]{(byte) b, (byte) (b >> 8), (byte) (b >> 16), (byte) (b >> 24)});
                }
            }
            System.out.println(state.trainer().get("epoch") + " " + HexFormat.of().formatHex(sha.digest()));
        } catch (Exception e) {
            System.out.println(dir + " INCONSISTENT " + e);
            System.exit(1);
        }
    }

    private static Path pathOf(Path dir, String name) throws Exception {
        var m = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(ModelDirectory.MANIFEST_FILE).toFile());
        Path temp = dir.resolve("." + name + "." + m.get("save_id").asText() + ".tmp");
        return Files.exists(temp) ? temp : dir.resolve(name);
    }

    private static void same(Path a, Path b) throws Exception {
        List<String> diffs = new ArrayList<>();
        for (String sub : List.of("model", "best")) {
            for (String f : List.of(ModelDirectory.WEIGHTS_FILE, ModelDirectory.OPTIMIZER_FILE, ModelDirectory.TRAINING_STATE_FILE, ModelDirectory.CONFIG_FILE)) {
                Path fa = a.resolve(sub).resolve(f), fb = b.resolve(sub).resolve(f);
                if (!Files.exists(fb) || !java.util.Arrays.equals(Files.readAllBytes(fa), Files.readAllBytes(fb))) diffs.add(sub + "/" + f);
            }
        }
        if (!metrics(a).equals(metrics(b))) diffs.add("metrics.jsonl");
        if (!diffs.isEmpty()) {
            System.out.println("DIFFERENT " + diffs);
            System.exit(1);
        }
    }

    private static List<String> metrics(Path run) throws Exception {
        List<String> out = new ArrayList<>();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(line);
            node.remove(List.of("time", "seconds", "samples_per_s"));
            out.add(node.toString());
        }
        return out;
    }
}
