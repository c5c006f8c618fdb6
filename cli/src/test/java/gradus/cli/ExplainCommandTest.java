package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static gradus.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.*;

/** `gradus explain` and `gradus attack` on a small CNN trained on the Fashion-MNIST sample. */
class ExplainCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    private static final String CNN = """
            name: sample-cnn
            seed: 3
            data:
              train: fashion-mnist-sample:train
              validation: fashion-mnist-sample:test
            model:
              type: Sequential
              layers:
                - {type: Conv2d, in: 1, out: 6, kernel: 3, padding: 1}
                - {type: ReLU}
                - {type: MaxPool2d, kernel: 2}
                - {type: Flatten}
                - {type: Linear, in: 1176, out: 10}
            loss: cross_entropy
            optimizer: {type: adam, lr: 0.003}
            training: {epochs: 2, batch_size: 64}
            """;

    @BeforeAll
    static void train() throws Exception {
        Path recipe = dir.resolve("cnn.yaml");
        Files.writeString(recipe, CNN);
        CliTest.Run r = cli("train", recipe.toString(), "--out", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        model = dir.resolve("run/model");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String... args) throws Exception {
        CliTest.Run r = cli(args);
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readValue(r.out(), Map.class);
    }

    @Test
    @SuppressWarnings("unchecked")
    void integratedGradientsReportTheirCompletenessGap() throws Exception {
        var r = json("explain", model.toString(), "--input", "fashion-mnist-sample:test#0", "--method", "ig", "--steps", "64", "--json");
        assertEquals(List.of(1, 1, 28, 28), r.get("shape"));
        assertEquals(784, ((List<?>) r.get("attributions")).size());
        assertEquals("Ankle boot", r.get("actual"));
        double gap = ((Number) r.get("gap")).doubleValue(), delta = ((Number) r.get("delta")).doubleValue();
        assertTrue(Math.abs(gap) <= 0.01 * Math.abs(delta), "gap " + gap + " of " + delta);
        double sum = 0;
        for (Object a : (List<Object>) r.get("attributions")) sum += ((Number) a).doubleValue();
        assertEquals(delta + gap, sum, 1e-3);
    }

    @Test
    void everyImageMethodRuns() throws Exception {
        for (String method : List.of("saliency", "gradxinput", "smoothgrad", "gradcam", "occlusion", "lime", "shap")) {
            var r = json("explain", model.toString(), "fashion-mnist-sample:test#1", "--method", method, "--target", "Trouser",
                    "--samples", "64", "--window", "7", "--json");
            assertEquals(1, r.get("target"), method);
            assertEquals(784, ((List<?>) r.get("attributions")).size(), method);
            if (method.equals("gradcam")) assertEquals("1", r.get("layer"));
            if (method.equals("shap")) assertEquals(0, ((Number) r.get("efficiency_gap")).doubleValue(), 1e-4);
            if (method.equals("lime")) assertTrue(r.containsKey("fidelity"));
        }
        CliTest.Run text = cli("explain", model.toString(), "fashion-mnist-sample:test#0", "--method", "saliency");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith("saliency for class Ankle boot (actual: Ankle boot)"), text.out());
        assertTrue(text.out().contains("@"), "an ASCII heat map:\n" + text.out());
        Path png = dir.resolve("ig.png");
        assertEquals(0, cli("explain", model.toString(), "fashion-mnist-sample:test#0", "--method", "ig", "--out", png.toString(), "--json").code());
        var image = javax.imageio.ImageIO.read(png.toFile()); // read back by the JDK's PNG reader
        assertEquals(224, image.getWidth());
        assertEquals(224, image.getHeight());
    }

    @Test
    void badRequestsAreExplained() {
        CliTest.Run r = cli("explain", model.toString(), "fashion-mnist-sample:test#0", "--method", "magic");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown method 'magic': use one of saliency"), r.err());
        r = cli("explain", model.toString(), "fashion-mnist-sample:test#0", "--target", "12");
        assertTrue(r.err().contains("target 12 is out of range: the model has 10 outputs (0..9)"), r.err());
        r = cli("explain", model.toString(), "fashion-mnist-sample:test#0", "--target", "Hat");
        assertTrue(r.err().contains("--target 'Hat' is neither a class index nor a class name"), r.err());
        r = cli("explain", model.toString(), "fashion-mnist-sample:test#0", "--method", "attention");
        assertTrue(r.err().contains("explains text models only"), r.err());
        r = cli("explain", model.toString(), "fashion-mnist-sample:test#0", "--method", "smoothgrad", "--sigma", "-1");
        assertTrue(r.err().contains("sigma must be ≥ 0, got -1.0"), r.err());
        r = cli("explain", model.toString(), "fashion-mnist-sample:test#0", "--out", dir.resolve("x.gif").toString());
        assertTrue(r.err().contains("--out must end in .png (images) or .html (text)"), r.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void attackReportsAccuracyAgainstEpsilonAndPgdIsAtLeastAsStrong() throws Exception {
        var fgsm = json("attack", model.toString(), "--data", "fashion-mnist-sample:test", "--method", "fgsm", "--eps", "0,0.1", "--limit", "200", "--json");
        var pgd = json("attack", model.toString(), "--data", "fashion-mnist-sample:test", "--method", "pgd", "--eps", "0.1", "--limit", "200", "--json");
        var f = (List<Map<String, Object>>) fgsm.get("results");
        double clean = ((Number) f.get(0).get("clean_accuracy")).doubleValue();
        assertTrue(clean > 0.7, "clean accuracy " + clean);
        assertEquals(clean, ((Number) f.get(0).get("robust_accuracy")).doubleValue(), 1e-12, "epsilon 0 changes nothing");
        double fgsmAcc = ((Number) f.get(1).get("robust_accuracy")).doubleValue();
        double pgdAcc = ((Number) ((List<Map<String, Object>>) pgd.get("results")).get(0).get("robust_accuracy")).doubleValue();
        assertTrue(fgsmAcc < clean - 0.2, "FGSM " + fgsmAcc + " vs clean " + clean);
        assertTrue(pgdAcc <= fgsmAcc, "PGD " + pgdAcc + " vs FGSM " + fgsmAcc);
        assertEquals(List.of(0.0, 1.0), ((List<Number>) fgsm.get("range")).stream().map(Number::doubleValue).toList());
        var square = json("attack", model.toString(), "--data", "fashion-mnist-sample:test", "--method", "square", "--eps", "0.1",
                "--steps", "5", "--limit", "100", "--json");
        var sq = ((List<Map<String, Object>>) square.get("results")).getFirst();
        assertTrue(((Number) sq.get("robust_accuracy")).doubleValue() < ((Number) sq.get("clean_accuracy")).doubleValue() - 0.2, sq.toString());
        CliTest.Run table = cli("attack", model.toString(), "--data", "fashion-mnist-sample:test", "--eps", "0.05", "--limit", "50");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("pgd linf eps=0.05"), table.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void reviewWritesMarkdownAndHtmlWithTheNumbers() throws Exception {
        Path md = dir.resolve("review.md"), html = dir.resolve("review.html");
        CliTest.Run r = cli("review", model.toString(), "--data", "fashion-mnist-sample:test", "--limit", "100", "--eps", "0.1", "--out", md.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> summary = new ObjectMapper().readValue(r.out().substring(r.out().indexOf('{')), Map.class);
        double accuracy = ((Number) summary.get("accuracy")).doubleValue();
        var robust = ((List<Map<String, Object>>) summary.get("robustness")).getFirst();
        double fgsm = ((Number) robust.get("fgsm")).doubleValue(), pgd = ((Number) robust.get("pgd")).doubleValue();
        assertTrue(pgd <= fgsm && fgsm < accuracy, accuracy + " " + fgsm + " " + pgd);
        assertEquals(0, ((Number) ((Map<String, Object>) summary.get("weights")).get("non_finite")).intValue());
        double rho = ((Number) ((Map<String, Object>) summary.get("sanity_check")).get("saliency")).doubleValue();
        assertTrue(Math.abs(rho) < 0.6, "saliency decorrelates from a randomized model: " + rho);
        String text = Files.readString(md);
        assertTrue(text.contains("## Confusion matrix") && text.contains("| Ankle boot |") && text.contains("## Robustness"), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "Accuracy **%.2f%%** on 100 examples", 100 * accuracy)), text);
        assertEquals(0, cli("review", model.toString(), "--data", "fashion-mnist-sample:test", "--limit", "50", "--eps", "0.1", "--out", html.toString()).code());
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!doctype html>") && page.contains("<table>") && page.contains("<h2>Robustness (accuracy under attack, L∞)</h2>"), page);
        CliTest.Run bad = cli("review", model.toString(), "--data", "fashion-mnist-sample:test", "--out", dir.resolve("r.pdf").toString());
        assertTrue(bad.err().contains("--out must end in .md or .html"), bad.err());
    }
}
