package dev.quotegate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The Quotegate market-data gateway. Micrometer's Logback binder is left out: its turbo filter
 * runs on every log-level check of every thread (platform.LogEvents counts instead).
 */
@SpringBootApplication(excludeName =
    "org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration")
@ConfigurationPropertiesScan
public class QuotegateApplication {

  public static void main(String[] args) {
    systemDefaults();
    SpringApplication.run(QuotegateApplication.class, args);
  }

  /**
   * JVM-wide settings of the libraries underneath, each applied only when not given on the
   * command line (the tests and tools that start the application call this too).
   */
  public static void systemDefaults() {
    // Netty's buffer leak detector samples about one buffer in a hundred and records a stack
    // trace for it: measurable on the hot path (docs/benchmarks.md). Off in the running
    // gateway unless asked for (-Dio.netty.leakDetection.level=simple); the tests keep it on.
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
    // Lettuce (Redis), with both native transports available, warns at every client start,
    // uses epoll and sets io_uring's keep-alive options on its epoll channels, which Netty
    // ignores with a warning each (the keep-alive idle, interval and count never applied).
    // Epoll for Lettuce, deliberately (its own preference); Reactor Netty's server and
    // upstream client keep io_uring. -Dio.lettuce.core.iouring=true restores Lettuce's default.
    if (System.getProperty("io.lettuce.core.iouring") == null) {
      System.setProperty("io.lettuce.core.iouring", "false");
    }
    // Reactor Netty prefetches up to 128 elements of a response body, in a queue per response
    // (about 950 bytes, held as long as the response is open: a stream's whole life). Our
    // bodies are one buffer, a few, or a stream's one event per poll round: 16 is plenty.
    if (System.getProperty("reactor.netty.send.maxPrefetchSize") == null) {
      System.setProperty("reactor.netty.send.maxPrefetchSize", "16");
    }
  }
}
