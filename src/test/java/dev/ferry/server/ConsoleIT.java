package dev.ferry.server;

import dev.ferry.cli.SyncDefinitions;
import dev.ferry.embedded.RedisServer;
import dev.ferry.resp.RedisConnection;
import dev.ferry.testing.BackgroundLoad;
import dev.ferry.testing.Chromium;
import dev.ferry.testing.DataAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console in Debian's headless Chromium against a real {@code ferry server} and real servers (7.0.15):
 * the token is asked once; a task whose precheck fails is refused with its table; a task's precheck table is shown
 * before anything is created, then it is created through the form, reaches streaming in the list, is paused and resumed on its page, and verify
 * reads "consistent". Saves screenshots of the list and the task page in {@code target/console-screenshots}, and
 * also in the folder named by {@code -Dferry.console.screenshots} (docs, to update the README's pictures).
 */
class ConsoleIT {

    private static final String SOURCE_PASSWORD = "src-Pw-8812";
    private static final String TOKEN = "console-token-5d2";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private FerryServer server;
    private ApiServer api;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
        if (api != null) {
            api.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aTaskIsCreatedThroughTheFormReachesStreamingIsPausedResumedAndVerifiedInChromium() throws Exception {
        try (RedisServer source = RedisServer.builder().version("7.0.15").arg("--requirepass", SOURCE_PASSWORD)
                     .arg("--repl-backlog-size", "64mb").start();
             RedisServer target = RedisServer.builder().version("7.0.15").start();
             RedisConnection src = source.connect();
             RedisConnection tgt = target.connect()) {
            for (int i = 0; i < 2000; i++) {
                src.callChecked("SET", "k:" + i, "v" + i);
            }
            Path passwordFile = dir.resolve("source.pw");
            Files.writeString(passwordFile, SOURCE_PASSWORD + "\n");
            SyncDefinitions planner = new SyncDefinitions();
            server = new FerryServer(new TaskStore(dir.resolve("data")), planner);
            server.start(List.of());
            api = new ApiServer(server, planner, "127.0.0.1", 0, TOKEN);
            // The files need no token and may load nothing from elsewhere; anything else is not theirs; the API still
            // needs the token.
            HttpResponse<String> page = get("/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'self'");
            assertThat(page.body()).contains("console.js").doesNotContain("http://", "https://");
            assertThat(get("/console.js").headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
            assertThat(get("/../pom.xml").statusCode()).isEqualTo(404);
            assertThat(get("/api/v1/tasks").statusCode()).isEqualTo(401);
            browser = Chromium.start(dir.resolve("chromium-profile"), 1280, 900);
            wait = new WebDriverWait(browser, TIMEOUT, Duration.ofMillis(100));

            // The token is asked for once, kept for the tab's session, and never shown.
            browser.get("http://127.0.0.1:" + api.port() + "/");
            WebElement token = visible("token");
            assertThat(token.getAttribute("type")).isEqualTo("password");
            token.sendKeys(TOKEN);
            token.submit();
            visible("no-tasks");
            assertThat(browser.executeScript("return sessionStorage.getItem('ferry.apiToken')")).isEqualTo(TOKEN);

            // A task whose precheck fails is refused, its table shown and the form kept as typed.
            browser.findElement(By.linkText("New task")).click();
            fillForm("unreachable", "redis://127.0.0.1:1", null, "redis://127.0.0.1:" + target.port());
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("create-result"), "Precheck failed"));
            assertThat(statuses("create-precheck")).contains("fail");
            assertThat(browser.findElement(By.id("f-name")).getAttribute("value")).isEqualTo("unreachable");

            // A good one: its precheck table (all passed) is shown before anything is created, then it is created.
            fillForm("orders", "redis://127.0.0.1:" + source.port(), passwordFile.toString(),
                    "redis://127.0.0.1:" + target.port());
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("create-result"), "Precheck passed"));
            assertThat(statuses("create-precheck")).isNotEmpty().doesNotContain("fail");
            assertThat(get("/api/v1/tasks/orders", TOKEN).statusCode()).isEqualTo(404);
            visible("create").click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("create-result"), "is created"));
            assertThat(get("/api/v1/tasks/orders", TOKEN).statusCode()).isEqualTo(200);

            try (BackgroundLoad load = BackgroundLoad.onStandalone(source, 21, 0)) {
                // The list shows it reaching streaming, with the snapshot complete.
                browser.findElement(By.linkText("Tasks")).click();
                wait.until(d -> cell("orders", 2).equals("streaming"));
                assertThat(browser.findElements(By.cssSelector("#tasks tbody tr"))).hasSize(1);
                assertThat(cell("orders", 3)).startsWith("100%");
                wait.until(d -> !cell("orders", 5).equals("—") && !cell("orders", 4).equals("—"));
                screenshot("console-list.png", 900);

                // Its page: paused, then resumed (a partial resync: the events say so), the lag chart drawn.
                browser.findElement(By.linkText("orders")).click();
                wait.until(ExpectedConditions.textToBe(By.id("task-state"), "streaming"));
                assertThat(statuses("precheck")).isNotEmpty().doesNotContain("fail");
                browser.findElement(By.id("pause")).click();
                wait.until(ExpectedConditions.textToBe(By.id("task-state"), "paused"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("task-backlog"), "about"));
                load.awaitMoreRounds(2, TIMEOUT);
                wait.until(ExpectedConditions.elementToBeClickable(By.id("resume"))).click();
                wait.until(ExpectedConditions.textToBe(By.id("task-state"), "streaming"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("events"), "paused"));
                wait.until(d -> Integer.parseInt(shardCell(5)) == 1);
                assertThat(shardCell(4)).as("full resyncs").isEqualTo("0");
                wait.until(d -> browser.findElements(By.cssSelector("#lag-chart polyline")).size() == 1
                        && browser.findElement(By.id("lag-caption")).getText().contains("samples"));
                load.awaitMoreRounds(2, TIMEOUT);
            }

            // Once the target caught up, verify reads "consistent".
            awaitSame(src, tgt);
            browser.findElement(By.id("verify")).click();
            WebElement verdict = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("verify-verdict")));
            assertThat(verdict.getText()).isEqualTo("consistent");
            screenshot("console-task.png", 1500);

            assertThat(browser.getPageSource()).doesNotContain(SOURCE_PASSWORD);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(path, null);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private WebElement visible(String id) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    }

    private void fillForm(String name, String sourceUri, String sourcePasswordFile, String targetUri) {
        type("f-name", name);
        type("f-source", sourceUri);
        type("f-source-password-file", sourcePasswordFile);
        type("f-target", targetUri);
        browser.findElement(By.id("run-precheck")).click();
    }

    private void type(String id, String text) {
        WebElement input = visible(id);
        input.clear();
        if (text != null) {
            input.sendKeys(text);
        }
    }

    /** The Status column of a precheck table. */
    private List<String> statuses(String table) {
        return texts("#" + table + " tbody td:nth-child(2)");
    }

    /** The text of column {@code n} (1-based) of a task's row in the list. */
    private String cell(String task, int n) {
        List<String> cells = texts("#tasks tr[data-task='" + task + "'] > *");
        return cells.size() < n ? "" : cells.get(n - 1);
    }

    private String shardCell(int n) {
        List<String> cells = texts("#shards tbody tr:first-child td");
        return cells.size() < n ? "-1" : cells.get(n - 1);
    }

    /**
     * The text of every element {@code selector} finds, read in one script: the page replaces its tables at each
     * poll, so elements found first and read after may be gone.
     */
    private List<String> texts(String selector) {
        Object found = browser.executeScript("return Array.from(document.querySelectorAll(arguments[0]))"
                + ".map((e) => e.textContent.trim());", selector);
        return ((List<?>) found).stream().map(String::valueOf).toList();
    }

    private void screenshot(String name, int height) throws Exception {
        browser.manage().window().setSize(new Dimension(1280, height));
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Path local = Path.of("target", "console-screenshots");
        Files.createDirectories(local);
        Files.copy(shot, local.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        String wanted = System.getProperty("ferry.console.screenshots");
        if (wanted != null && !wanted.isBlank()) {
            Files.copy(shot, Path.of(wanted).resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    private static void awaitSame(RedisConnection src, RedisConnection tgt) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> found;
        while (!(found = DataAssertions.differences(src, tgt, Set.of(0))).isEmpty()) {
            assertThat(System.nanoTime()).as("the same data; still: " + found).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
