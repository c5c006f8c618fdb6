package gradus.serve;

import gradus.io.ModelDirectory;
import gradus.nn.Linear;
import gradus.nn.Sequential;
import gradus.serve.text.Generation;
import gradus.serve.text.GenerationParams;
import gradus.serve.text.SavedTextModels;
import gradus.serve.text.TextModels;
import gradus.tensor.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.WebDriverWait;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The web UI in headless Chromium (Debian's chromium + chromium-driver): the dashboard's charts, polling
 * and confusion matrix; the playground's drawing, upload, generation settings, embeddings, classification
 * and regression; the layout on a 390 px phone. Screenshots of each go to {@code target/screenshots/}.
 * Skipped, with the reason printed, where Chromium is not installed.
 */
class BrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final List<String> HOUSE_FEATURES = List.of("rooms", "age", "distance");
    static final int GPT_STEPS = 200;

    /**
     * Runs before each page's own scripts: logs every fetch and EventSource the page opens, and keeps the
     * callbacks given to setInterval for the test to fire, so polling is tested without waiting on a clock.
     */
    static final String INSTRUMENT = """
            window.__requests = [];
            const realFetch = window.fetch;
            window.fetch = function (url, options) {
              window.__requests.push({ url: String(url), body: options && typeof options.body === 'string' ? options.body : null });
              return realFetch.apply(this, arguments);
            };
            const RealEventSource = window.EventSource;
            window.EventSource = class extends RealEventSource {
              constructor(url, config) { super(url, config); window.__requests.push({ url: String(url), body: null }); }
            };
            window.__ticks = [];
            window.setInterval = (fn, ms) => { window.__ticks.push(fn); return window.__ticks.length; };
            """;

    /** Tick labels wider than the room uPlot gives their y axis (cut at the canvas edge), or that do not read as their tick's value (rounded too far). */
    static final String AXIS_PROBLEMS = """
            const out = [];
            for (const [name, u] of Object.entries(charts)) {
              if (!u) continue;
              u.axes.forEach((axis, i) => {
                if (i === 0 || !axis._values) return;
                const ctx = document.createElement('canvas').getContext('2d');
                ctx.font = axis.font[0];
                const room = axis._size - axis.ticks.size - axis.gap;
                axis._values.forEach((label, k) => {
                  const m = /^(-?[0-9.]+(?:e[-+]?[0-9]+)?)([kMG]?)$/.exec(String(label));
                  const read = m ? Number(m[1]) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9 })[m[2]] : NaN;
                  const tick = axis._splits[k];
                  if (!(Math.abs(read - tick) <= 1e-9 * Math.max(1, Math.abs(tick)))) out.push(name + ': "' + label + '" labels the tick at ' + tick);
                });
                for (const label of axis._values) {
                  const width = ctx.measureText(String(label)).width / (axis.font[1] / axis.font[2]);
                  if (width > room) out.push(name + ': "' + label + '" is ' + Math.round(width) + ' px in ' + room + ' px');
                }
              });
            }
            return out;""";

    @TempDir
    static Path dir;
    static GradusServer server;
    static ChromeDriver driver;
    static String base;
    static volatile GenerationParams lastParams;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!present) System.out.println("BrowserTest skipped: " + CHROMIUM + " or " + DRIVER + " missing (apt-get install chromium chromium-driver)");
        Assumptions.assumeTrue(present, "chromium and chromium-driver are not installed");
        Path runs = dir.resolve("runs"), models = dir.resolve("models");
        RunFixtures.finishedRun(runs, "done");
        RunFixtures.appendEpoch(runs.resolve("live"), 1, 2.0);
        RunFixtures.languageModelRun(runs, "gpt", GPT_STEPS);
        RunFixtures.fashionModel(models.resolve("fashion").resolve("1"));
        Rng.manualSeed(8);
        ModelDirectory.save(models.resolve("houses").resolve("1"), new Sequential(new Linear(3, 1)), Map.of("task", "regression",
                "input_shape", List.of(3), "feature_names", HOUSE_FEATURES, "loss", "mse", "class_names", List.of())); // as a recipe saves it
        TextModels text = new TextModels()
                .generator("echo", new FakeTextModels.Echo() {
                    @Override
                    public Generation generate(String prompt, GenerationParams params, Consumer<String> onText) {
                        lastParams = params;
                        return super.generate(prompt, params, onText);
                    }
                })
                .classifier("sentiment", t -> t.contains("good") ? Map.of("positive", 0.9f, "negative", 0.1f) : Map.of("positive", 0.2f, "negative", 0.8f))
                .embedder("shape", new FakeTextModels.Shape());
        Fixtures.saveTextClassifier(dir.resolve("text-models"), "words");
        SavedTextModels.load(dir.resolve("text-models"), text);
        server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withModelsDir(models).withRunsDir(runs)
                .withReloadInterval(Duration.ZERO).withAccessLog(false), text).start();
        base = "http://127.0.0.1:" + server.port();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", INSTRUMENT));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (server != null) server.close();
    }

    static FluentWait<WebDriver> waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class);
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    @SuppressWarnings("unchecked")
    static List<String> requests() {
        return ((List<Map<String, Object>>) js("return window.__requests")).stream().map(r -> (String) r.get("url")).toList();
    }

    /** The JSON bodies the page sent to {@code path}. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> sent(String path) throws Exception {
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (Map<String, Object> r : (List<Map<String, Object>>) js("return window.__requests")) {
            if (((String) r.get("url")).contains(path) && r.get("body") != null) out.add(Fixtures.json((String) r.get("body")));
        }
        return out;
    }

    /** Fires the page's interval callbacks once, as if their period had passed, and waits for what they start. */
    static void tick() {
        ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; Promise.all(window.__ticks.map(f => f())).then(() => setTimeout(done, 300));");
    }

    static void screenshot(String name) throws Exception {
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Console errors since the last call, e.g. "Failed to load resource: … 404". */
    static List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
    }

    @Test
    void dashboardChartUpdatesLiveWithTheRunListAndShowsTheConfusionMatrix() throws Exception {
        driver.get(base + "/ui/index.html?run=live");
        waiting().until(ExpectedConditions.attributeToBe(By.id("epoch-count"), "data-epochs", "1"));
        assertFalse(driver.findElements(By.cssSelector("#loss-chart .uplot canvas")).isEmpty(), "the loss chart is drawn");
        js("window.__canvas = document.querySelector('#loss-chart canvas')");
        RunFixtures.appendEpoch(dir.resolve("runs").resolve("live"), 2, 1.25);
        waiting().until(ExpectedConditions.attributeToBe(By.id("epoch-count"), "data-epochs", "2"));
        assertEquals(true, js("return document.contains(window.__canvas)"), "a new epoch updates the chart without rebuilding it");
        waiting().until(d -> d.findElement(By.cssSelector("#final td[data-key=loss]")).getText().equals("1.2500"));
        waiting().until(d -> d.findElement(By.cssSelector("#loss-chart .u-legend")).getText().contains("val_loss"));
        // the list follows the detail without waiting for its poll (the page's intervals never fire here)
        waiting().withMessage("the run list shows epoch 2 with the detail")
                .until(d -> d.findElement(By.cssSelector("tr.run[data-id=live] td.epochs")).getText().equals("2"));
        assertEquals("1.2500", driver.findElement(By.cssSelector("tr.run[data-id=live] td.loss")).getText());

        driver.findElement(By.cssSelector("tr.run[data-id=done]")).click();
        WebElement cm = waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#confusion table.confusion")));
        assertEquals(11, cm.findElements(By.tagName("tr")).size(), "header + 10 classes");
        assertTrue(cm.getText().contains("Ankle boot"));
        assertEquals("3", driver.findElement(By.id("epoch-count")).getAttribute("data-epochs"));
    }

    @Test
    void aFinishedRunIsNotRefetchedWhenTheListRefreshes() throws Exception {
        driver.get(base + "/ui/index.html?run=done");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#confusion table.confusion")));
        js("window.__canvas = document.querySelector('#loss-chart canvas'); window.__requests = [];");
        tick();
        tick();
        List<String> polled = requests();
        assertTrue(polled.stream().noneMatch(u -> u.contains("/api/runs/done")), "the finished run's detail, events and confusion stay: " + polled);
        assertTrue(polled.stream().anyMatch(u -> u.endsWith("/api/runs")), "the list still refreshes: " + polled);
        assertEquals(true, js("return document.contains(window.__canvas)"), "the chart is not rebuilt");
        assertEquals(List.of(), js(AXIS_PROBLEMS));
        assertTrue(driver.findElement(By.cssSelector("tr.run[data-id=done]")).getAttribute("class").contains("selected"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void chartsSeparateKindsOfQuantityAndDrawPerStepCurves() throws Exception {
        consoleErrors();
        driver.get(base + "/ui/index.html?run=gpt");
        waiting().until(d -> js("return typeof charts === 'object' && charts.loss && charts.loss.data[0].length") instanceof Number n && n.intValue() > 1);
        Map<String, List<String>> series = (Map<String, List<String>>) js(
                "const out = {}; for (const [k, u] of Object.entries(charts)) if (u) out[k] = u.series.map(s => s.label); return out;");
        assertEquals("step", series.get("loss").getFirst(), "a steps-based run's loss is drawn over steps: " + series);
        assertEquals(GPT_STEPS, ((Number) js("return charts.loss.data[0].length")).intValue(), "one point per step record");
        assertTrue(series.get("loss").contains("val_loss"), "the epoch's validation loss on the same axis: " + series);
        assertEquals(List.of("step", "lr"), series.get("lr"), "the learning rate per step, on its own chart");
        assertTrue(series.get("speed").containsAll(List.of("samples_per_s", "seconds")), series.toString());
        for (var e : series.entrySet()) {
            if (!e.getKey().equals("lr")) assertFalse(e.getValue().contains("lr"), e.toString());
            if (!e.getKey().equals("speed")) assertFalse(e.getValue().contains("samples_per_s") || e.getValue().contains("seconds"), e.toString());
        }
        assertNotEquals(js("return charts.speed.series[1].scale"), js("return charts.speed.series[2].scale"), "samples/s and seconds on two axes");
        assertEquals(List.of(), js(AXIS_PROBLEMS), "22,345.6 samples/s fits its axis");
        assertEquals("22,345.6", driver.findElement(By.cssSelector("#final td[data-key=samples_per_s]")).getText());
        assertEquals("3.0e-4", driver.findElement(By.cssSelector("#final td[data-key=lr]")).getText());

        assertFalse(driver.findElement(By.id("confusion-section")).isDisplayed(), "a language model has no confusion matrix");
        assertTrue(requests().stream().noneMatch(u -> u.contains("/confusion")), requests().toString());
        assertEquals(List.of(), consoleErrors(), "no failed requests");
        screenshot("dashboard-gpt");

        driver.get(base + "/ui/index.html?run=done");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#confusion table.confusion")));
        List<String> metrics = (List<String>) js("return charts.metric.series.map(s => s.label)");
        assertEquals(List.of("epoch", "accuracy", "val_accuracy"), metrics);
        assertEquals(List.of(0L, 1L), js("return [charts.metric.scales.y.min, charts.metric.scales.y.max]"), "accuracy on a 0–1 axis");
        assertEquals(List.of(), js(AXIS_PROBLEMS));
        screenshot("dashboard-classifier");
    }

    @Test
    void playgroundPredictsADrawingAndAnUpload() throws Exception {
        driver.get(base + "/ui/playground.html?model=fashion");
        WebElement pad = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("pad")));
        new Actions(driver).moveToElement(pad, -60, -80).clickAndHold().moveByOffset(0, 160).moveByOffset(40, 0).release().perform();
        driver.findElement(By.id("predict")).click();
        String drawn = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("top-class"))).getText();
        assertTrue(RunFixtures.FASHION.contains(drawn), drawn);
        assertEquals(10, driver.findElements(By.cssSelector("#result .bar")).size());
        screenshot("playground-image");

        BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(18, 4, 20, 48); // a bright vertical bar
        g.dispose();
        File png = dir.resolve("upload.png").toFile();
        ImageIO.write(img, "png", png);
        var expected = Fixtures.postBytes(base + "/predict/fashion", Files.readAllBytes(png.toPath()), "Content-Type", "image/png");
        String expectedClass = (String) ((List<Map<String, Object>>) Fixtures.json(new String(expected.body())).get("predictions")).getFirst().get("class");
        driver.findElement(By.id("clear")).click();
        driver.findElement(By.id("upload")).sendKeys(png.getAbsolutePath());
        waiting().until(d -> {
            var top = d.findElements(By.id("top-class"));
            return !top.isEmpty() && top.getFirst().getText().equals(expectedClass);
        });
    }

    @Test
    void playgroundExplainsADrawingWithAHeatMap() throws Exception {
        driver.get(base + "/ui/playground.html?model=fashion");
        WebElement pad = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("pad")));
        new Actions(driver).moveToElement(pad, 0, -80).clickAndHold().moveByOffset(0, 160).release().perform();
        driver.findElement(By.id("predict")).click();
        String predicted = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("top-class"))).getText();
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("explain-method"))).selectByValue("ig");
        driver.findElement(By.id("explain")).click();
        WebElement map = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("heatmap")));
        assertEquals("784", map.getAttribute("data-cells"));
        assertEquals(predicted, driver.findElement(By.id("explained-class")).getText(), "explains the predicted class");
        assertTrue(driver.findElement(By.id("explanation")).getText().contains("completeness gap"));
        // the model is linear: IG from the black baseline is x·w, so undrawn (black) pixels get nothing
        Number corner = (Number) js("return document.getElementById('heatmap').getContext('2d').getImageData(0, 0, 40, 40).data"
                + ".filter((v, i) => i % 4 === 3).reduce((a, b) => a + b, 0)");
        Number stroke = (Number) js("const c = document.getElementById('heatmap'); return c.getContext('2d').getImageData(c.width / 2 - 12, 40, 24, c.height - 80).data"
                + ".filter((v, i) => i % 4 === 3).reduce((a, b) => a + b, 0)");
        assertEquals(0, corner.intValue(), "no attribution where nothing was drawn");
        assertTrue(stroke.intValue() > 0, "the stroke is attributed");
        screenshot("playground-explain");
        assertEquals(List.of(), consoleErrors());
    }

    @Test
    @SuppressWarnings("unchecked")
    void playgroundExplainsFeatures() throws Exception {
        driver.get(base + "/ui/playground.html?model=houses");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("model-info")));
        List<WebElement> inputs = driver.findElements(By.cssSelector("#feature-inputs input"));
        for (int i = 0; i < 3; i++) inputs.get(i).sendKeys(List.of("3", "20", "1.5").get(i));
        driver.findElement(By.id("explain-features")).click();
        waiting().until(d -> d.findElements(By.cssSelector("#explanation .attribution")).size() == 3);
        var api = Fixtures.json(Fixtures.post(base + "/v2/models/houses/explain", "{\"method\": \"ig\", \"features\": [3, 20, 1.5]}").body());
        List<Number> expected = (List<Number>) api.get("attributions");
        List<WebElement> bars = driver.findElements(By.cssSelector("#explanation .attribution"));
        for (int i = 0; i < 3; i++) assertEquals(expected.get(i).doubleValue(), Double.parseDouble(bars.get(i).getAttribute("data-value")), 1e-6);
        assertTrue(bars.getFirst().getText().startsWith("rooms"), bars.getFirst().getText());
    }

    @Test
    void playgroundSendsTheGenerationSettingsAndRefusesBadNumbers() throws Exception {
        driver.get(base + "/ui/playground.html?model=echo");
        WebElement prompt = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("prompt")));
        prompt.sendKeys("hello there friend");
        Map<String, String> settings = Map.of("temperature", "0.7", "top-k", "5", "top-p", "0.9", "seed", "42", "stop", "there");
        settings.forEach((id, value) -> {
            WebElement input = driver.findElement(By.id(id));
            input.clear();
            input.sendKeys(value);
        });
        driver.findElement(By.id("generate")).click();
        waiting().until(ExpectedConditions.attributeToBe(By.id("generated"), "data-done", "true"));
        assertEquals("you said hello", driver.findElement(By.id("generated")).getText(), "generation ends before the stop string");
        GenerationParams p = lastParams;
        assertEquals(0.7, p.temperature(), 1e-9);
        assertEquals(5, p.topK());
        assertEquals(0.9, p.topP(), 1e-9);
        assertEquals(42L, p.seed());
        assertEquals(List.of("there"), p.stop());
        screenshot("playground-generate");

        js("window.__requests = [];");
        WebElement maxTokens = driver.findElement(By.id("max-tokens"));
        maxTokens.clear();
        maxTokens.sendKeys("abc");
        driver.findElement(By.id("generate")).click();
        WebElement error = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("max-tokens-error")));
        assertTrue(error.getText().contains("max tokens"), error.getText());
        assertTrue(error.getText().contains("abc"), error.getText());
        assertEquals(List.of(), sent("/v1/completions"), "nothing is sent");
        screenshot("playground-generate-error");

        maxTokens.clear();
        maxTokens.sendKeys("2");
        driver.findElement(By.id("generate")).click();
        waiting().until(d -> "you said".equals(d.findElement(By.id("generated")).getText()));
        assertFalse(driver.findElement(By.id("max-tokens-error")).isDisplayed(), "the error goes once the number is fixed");
        assertEquals(2, sent("/v1/completions").getFirst().get("max_tokens"));
    }

    @Test
    void playgroundClassifiesText() throws Exception {
        driver.get(base + "/ui/playground.html?model=sentiment");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("text"))).sendKeys("a good day");
        driver.findElement(By.id("classify")).click();
        assertEquals("positive", waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("top-class"))).getText());
    }

    /** Highlighted tokens and the attention viewer: every cell the API's weight, for the layer and head picked. */
    @Test
    @SuppressWarnings("unchecked")
    void playgroundShowsATextsTokenScoresAndItsAttentionByLayerAndHead() throws Exception {
        String text = "click here to win free money";
        driver.get(base + "/ui/playground.html?model=words");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("text"))).sendKeys(text);
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("explain-text-method"))).selectByValue("attention");
        driver.findElement(By.id("explain-text")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("attention-grid")));
        var api = Fixtures.json(Fixtures.post(base + "/v2/models/words/explain", "{\"method\": \"attention\", \"text\": \"" + text + "\"}").body());
        List<WebElement> tokens = driver.findElements(By.cssSelector("#tokens span"));
        assertEquals(List.of(text.split(" ")), tokens.stream().map(WebElement::getText).toList());
        List<Number> rollout = (List<Number>) api.get("attributions");
        for (int i = 0; i < 6; i++) assertEquals(rollout.get(i).doubleValue(), Double.parseDouble(tokens.get(i).getAttribute("data-value")), 1e-6);
        var attention = (List<List<List<List<Number>>>>) api.get("attention");
        var layer = new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("attention-layer")));
        var head = new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("attention-head")));
        assertEquals(2, layer.getOptions().size());
        assertEquals(3, head.getOptions().size(), "the mean and two heads");
        for (int l = 0; l < 2; l++) {
            layer.selectByValue(String.valueOf(l));
            for (int h = 0; h < 2; h++) {
                head.selectByValue(String.valueOf(h));
                List<WebElement> cells = driver.findElements(By.cssSelector("#attention-grid td"));
                assertEquals(36, cells.size());
                for (int c = 0; c < 36; c++) {
                    double expected = attention.get(l).get(h).get(c / 6).get(c % 6).doubleValue();
                    assertEquals(expected, Double.parseDouble(cells.get(c).getAttribute("data-value")), 1e-6, "layer " + l + " head " + h + " cell " + c);
                }
            }
        }
        head.selectByValue("mean");
        double mean = (attention.get(1).get(0).get(2).get(3).doubleValue() + attention.get(1).get(1).get(2).get(3).doubleValue()) / 2;
        assertEquals(mean, Double.parseDouble(driver.findElements(By.cssSelector("#attention-grid td")).get(2 * 6 + 3).getAttribute("data-value")), 1e-6);
        screenshot("playground-attention");
        assertEquals(List.of(), consoleErrors());
    }

    @Test
    void playgroundEmbedsTextsAndShowsTheirCosineSimilarities() throws Exception {
        driver.get(base + "/ui/playground.html?model=shape");
        List<String> texts = List.of("cat", "car", "a much longer sentence");
        WebElement box = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("embed-texts")));
        box.clear();
        box.sendKeys(String.join("\n", texts));
        driver.findElement(By.id("embed")).click();
        WebElement table = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#result table.similarity")));
        float[][] v = new FakeTextModels.Shape().embed(texts);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                String cell = table.findElement(By.cssSelector("td[data-i='" + i + "'][data-j='" + j + "']")).getText();
                assertEquals(String.format(java.util.Locale.ROOT, "%.3f", cosine(v[i], v[j])), cell, "cosine of texts " + i + " and " + j);
            }
        }
        assertEquals("4 dimensions", driver.findElement(By.id("embedding-size")).getText());
        screenshot("playground-embeddings");
    }

    @Test
    @SuppressWarnings("unchecked")
    void playgroundShowsARegressionModelsValueAndFeatureNames() throws Exception {
        driver.get(base + "/ui/playground.html?model=houses");
        String info = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("model-info"))).getText();
        assertTrue(info.contains("regression"), info);
        assertFalse(info.contains("classes"), info);
        List<WebElement> inputs = driver.findElements(By.cssSelector("#feature-inputs input"));
        assertEquals(HOUSE_FEATURES, driver.findElements(By.cssSelector("#feature-inputs label")).stream().map(WebElement::getText).toList());
        List<Double> x = List.of(3.0, 20.0, 1.5);
        for (int i = 0; i < 3; i++) inputs.get(i).sendKeys(String.valueOf(x.get(i)));
        driver.findElement(By.id("predict-features")).click();
        WebElement value = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("top-class")));
        var api = Fixtures.post(base + "/predict/houses", "{\"features\": [3, 20, 1.5]}");
        double expected = ((Number) ((List<Map<String, Object>>) Fixtures.json(api.body()).get("predictions")).getFirst().get("prediction")).doubleValue();
        assertEquals(expected, Double.parseDouble(value.getAttribute("data-value")), 1e-6);
        assertTrue(driver.findElements(By.cssSelector("#result .bar")).isEmpty(), "no class bars for a number");
        screenshot("playground-regression");

        inputs.get(1).clear();
        inputs.get(1).sendKeys("old");
        driver.findElement(By.id("predict-features")).click();
        WebElement error = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("features-error")));
        assertTrue(error.getText().contains("age"), error.getText());
    }

    @Test
    void pagesFitA390PxPhone() throws Exception {
        Map<String, String> pages = Map.of("dashboard-classifier", "/ui/index.html?run=done", "dashboard-gpt", "/ui/index.html?run=gpt",
                "playground-image", "/ui/playground.html?model=fashion", "playground-generate", "/ui/playground.html?model=echo",
                "playground-embeddings", "/ui/playground.html?model=shape", "playground-regression", "/ui/playground.html?model=houses");
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 390, "height", 844, "deviceScaleFactor", 2, "mobile", true));
        try {
            for (var page : new java.util.TreeMap<>(pages).entrySet()) {
                driver.get(base + page.getValue());
                if (page.getKey().equals("dashboard-classifier")) {
                    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#confusion table.confusion")));
                } else if (page.getKey().startsWith("dashboard")) {
                    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#loss-chart canvas")));
                } else {
                    waiting().until(d -> !d.findElement(By.id("model-info")).getText().isEmpty());
                }
                long width = ((Number) js("return document.documentElement.scrollWidth")).longValue();
                long viewport = ((Number) js("return window.innerWidth")).longValue();
                screenshot(page.getKey() + "-390px");
                assertEquals(390, viewport, "the phone's viewport");
                assertTrue(width <= viewport, page.getKey() + " is " + width + " px wide on a " + viewport + " px screen");
            }
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
