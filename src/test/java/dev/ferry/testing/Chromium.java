package dev.ferry.testing;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's headless Chromium driven by its own chromedriver (packages {@code chromium} and {@code chromium-driver};
 * {@code .ci/run} installs them), for the console's browser test. Selenium is given both executables, so it
 * downloads nothing; Chromium gets a fresh profile and no background networking (the machine's network is closed).
 * Paths may be overridden with {@code -Dferry.chromium=...} and {@code -Dferry.chromedriver=...}. Missing
 * executables fail the test with a message saying how to install them: the test never skips. Not thread-safe:
 * one driver per test thread.
 */
public final class Chromium {

    private Chromium() {
    }

    /** Starts a headless Chromium of {@code width} x {@code height} with its profile in {@code profile}. */
    public static ChromeDriver start(Path profile, int width, int height) {
        Path browser = executable("ferry.chromium", "/usr/bin/chromium", "chromium");
        Path driver = executable("ferry.chromedriver", "/usr/bin/chromedriver", "chromium-driver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static Path executable(String property, String debianPath, String debianPackage) {
        Path path = Path.of(System.getProperty(property, debianPath));
        if (!Files.isExecutable(path)) {
            throw new AssertionError(path + " is missing: the console's browser test needs Debian's headless Chromium"
                    + " and its driver (as root: apt-get install -y chromium chromium-driver; .ci/run does it), or -D"
                    + property + "=PATH to another " + debianPackage + " executable");
        }
        return path;
    }
}
