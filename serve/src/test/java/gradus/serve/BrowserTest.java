package gradus.serve;

import gradus.serve.text.TextModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The web UI in headless Chromium (Debian's chromium + chromium-driver): the dashboard's live
 * chart, the confusion matrix, and the playground's drawing, upload, streaming and classification.
 * Skipped, with the reason printed, where Chromium is not installed.
 */
class BrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path dir;
    static GradusServer server;
    static WebDriver driver;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!present) System.out.println("BrowserTest skipped: " + CHROMIUM + " or " + DRIVER + " missing (apt-get install chromium chromium-driver)");
        Assumptions.assumeTrue(present, "chromium and chromium-driver are not installed");
        Path runs = dir.resolve("runs"), models = dir.resolve("models");
        RunFixtures.finishedRun(runs, "done");
        RunFixtures.appendEpoch(runs.resolve("live"), 1, 2.0);
        RunFixtures.fashionModel(models.resolve("fashion").resolve("1"));
        TextModels text = new TextModels().generator("echo", new FakeTextModels.Echo())
                .classifier("sentiment", t -> t.contains("good") ? Map.of("positive", 0.9f, "negative", 0.1f) : Map.of("positive", 0.2f, "negative", 0.8f));
        server = new GradusServer(ServeOptions.defaults().withAddress("127.0.0.1", 0).withModelsDir(models).withRunsDir(runs)
                .withReloadInterval(Duration.ZERO).withAccessLog(false), text).start();
        base = "http://127.0.0.1:" + server.port();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (server != null) server.close();
    }

    static WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(15));
    }

    @Test
    void dashboardChartUpdatesLiveAndShowsTheConfusionMatrix() throws Exception {
        driver.get(base + "/ui/index.html?run=live");
        waiting().until(ExpectedConditions.attributeToBe(By.id("epoch-count"), "data-epochs", "1"));
        assertFalse(driver.findElements(By.cssSelector("#loss-chart .uplot canvas")).isEmpty(), "the loss chart is drawn");
        RunFixtures.appendEpoch(dir.resolve("runs").resolve("live"), 2, 1.25);
        waiting().until(ExpectedConditions.attributeToBe(By.id("epoch-count"), "data-epochs", "2"));
        // charts and tables are rebuilt on every event: read them through waits that retry stale elements
        waiting().ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(By.cssSelector("#final td[data-key=loss]")).getText().equals("1.2500"));
        waiting().ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(By.cssSelector("#loss-chart .u-legend")).getText().contains("val_loss"));

        driver.findElement(By.cssSelector("tr.run[data-id=done]")).click();
        WebElement cm = waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#confusion table.confusion")));
        assertEquals(11, cm.findElements(By.tagName("tr")).size(), "header + 10 classes");
        assertTrue(cm.getText().contains("Ankle boot"));
        assertEquals("3", driver.findElement(By.id("epoch-count")).getAttribute("data-epochs"));
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
        waiting().ignoring(StaleElementReferenceException.class).until(d -> {
            var top = d.findElements(By.id("top-class"));
            return !top.isEmpty() && top.getFirst().getText().equals(expectedClass);
        });
    }

    @Test
    void playgroundStreamsGeneratedTextAndClassifiesText() {
        driver.get(base + "/ui/playground.html?model=echo");
        WebElement prompt = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("prompt")));
        prompt.sendKeys("hello there");
        driver.findElement(By.id("generate")).click();
        waiting().until(ExpectedConditions.attributeToBe(By.id("generated"), "data-done", "true"));
        assertEquals("you said hello there", driver.findElement(By.id("generated")).getText());

        driver.get(base + "/ui/playground.html?model=sentiment");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("text"))).sendKeys("a good day");
        driver.findElement(By.id("classify")).click();
        assertEquals("positive", waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("top-class"))).getText());
    }
}
