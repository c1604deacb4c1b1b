package dev.quotegate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged gateway started as a child process whose stdout nobody reads (a parent that
 * stopped draining the pipe): once the pipe's buffer (64 KB) is full, every write to stdout
 * blocks. With logging at DEBUG for the server (a few lines per request) the pipe fills within
 * the first requests (the queue is made small, 256 lines, so it fills too); the gateway must keep answering, its log lines dropped and counted by
 * {@link LogQueue}, not wedge its event loops on the console. Measured by hand without the
 * queue ({@code quotegate.logging.async=false}): 222 answers, then every request timed out.
 */
// Its own start-up deadline is 300 s, then 1,000 requests: past the suite-wide 5 min default.
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StuckConsoleIT {

  @TempDir Path data;

  @Test
  void aConsoleNobodyReadsDoesNotStopTheGateway() throws Exception {
    Path jar;
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      jar = files.filter(p -> p.getFileName().toString().matches("quotegate-app-.*\\.jar")).findFirst().orElse(null);
    }
    assertThat(jar).as("the packaged jar (failsafe runs after package)").isNotNull();
    int port = freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process gateway = new ProcessBuilder(List.of(java, "-Xmx512m", "-jar", jar.toString(),
            "--server.port=" + port, "--quotegate.simulator.port=0",
            "--quotegate.history.data-dir=" + data,
            "--logging.level.reactor.netty.http.server=DEBUG", "--quotegate.logging.async=true", "--quotegate.logging.queue-size=256",
            // one client in a tight loop: beyond the anonymous tier's 50/s (the test is not about limits)
            "--quotegate.rate-limit.anonymous.requests-per-second=1000000",
            "--quotegate.rate-limit.anonymous.burst=1000000"))
        .redirectErrorStream(true)
        .start(); // stdout is a pipe this test never reads
    try {
      // HTTP/1.1: the JDK client's h2c upgrade now and then stalls (docs/operations.md)
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      HttpRequest quote = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/quotes/AAPL"))
          .timeout(Duration.ofSeconds(10)).build();
      long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
      while (true) {
        try {
          if (client.send(quote, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            break;
          }
        } catch (IOException notYet) {
          // still starting
        }
        assertThat(System.nanoTime()).as("gateway started").isLessThan(deadline);
        Thread.sleep(500);
      }
      int ok = 0;
      for (int i = 0; i < 1_000; i++) {
        // each request logs several DEBUG lines: the 64 KB pipe is full after a few hundred
        HttpResponse<Void> r = client.send(quote, HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          ok++;
        }
      }
      assertThat(ok).as("answers while stdout is not drained").isEqualTo(1_000);
      HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).as("the dropped lines are counted")
          .containsPattern("quotegate_logging_dropped_total\\{[^}]*\\} [1-9]");
    } finally {
      gateway.destroyForcibly().waitFor();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
