package dev.quotegate.e2e;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.simulator.Simulator;
import dev.quotegate.simulator.SimulatorProperties;
import dev.quotegate.testsupport.IsolatedNetty;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway the browser tests open: a full application context on a port chosen free when
 * the test starts (kept across a restart, as a real gateway's is), its own H2 file, quote TTL
 * 1 s so the stream ticks every second, and a standalone simulator that outlives the gateway's
 * restarts. The simulator's clock is moved into a trading session when the real market is
 * closed, so prices move whatever the hour the build runs at (the gateway keeps the real clock).
 */
final class PageGateway implements AutoCloseable {

  final Simulator simulator;
  final int port;
  final String adminToken;
  private final Path dataDir;
  private ConfigurableApplicationContext context;

  private PageGateway(Simulator simulator, int port, Path dataDir, String adminToken) {
    this.simulator = simulator;
    this.port = port;
    this.dataDir = dataDir;
    this.adminToken = adminToken;
  }

  static PageGateway start(Path workDir, String adminToken) throws IOException {
    Simulator sim = Simulator.create(SimulatorProperties.defaults().withPort(0), tradingClock()).start();
    PageGateway g = new PageGateway(sim, freePort(), workDir.resolve("data"), adminToken);
    g.startGateway();
    return g;
  }

  /** The system clock, or one shifted to an hour into the next session while the NYSE is closed. */
  static Clock tradingClock() {
    MarketCalendar nyse = MarketCalendar.nyse();
    Instant now = Instant.now();
    if (nyse.isOpen(now)) {
      return Clock.systemUTC();
    }
    return Clock.offset(Clock.systemUTC(), Duration.between(now, nyse.nextOpen(now).plus(Duration.ofHours(1))));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  void startGateway() {
    context = new SpringApplicationBuilder(QuotegateApplication.class, IsolatedNetty.class)
        .run(
            "--server.port=" + port,
            "--spring.main.banner-mode=off",
            "--quotegate.simulator.enabled=false",
            "--quotegate.providers.sim.base-url=" + simulator.baseUrl(),
            "--quotegate.history.data-dir=" + dataDir,
            "--quotegate.admin.token=" + adminToken,
            "--quotegate.quotes.ttl-market-open=1s",
            "--quotegate.quotes.ttl-market-closed=1s",
            "--quotegate.streams.grace-period=5s",
            "--logging.level.root=WARN");
  }

  void stopGateway() {
    if (context != null) {
      context.close();
      context = null;
    }
  }

  ConfigurableApplicationContext context() {
    return context;
  }

  @Override
  public void close() {
    stopGateway();
    simulator.stop();
  }
}
