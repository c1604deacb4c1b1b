package dev.quotegate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.history.HistoryProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A test context started with no settings of its own, as a new test would start one, shares
 * no port and no file with the README's gateway (:8080, simulator :8090, H2 under ./data) or
 * with another test context: src/test/resources/config/application.properties. Without it,
 * `./mvnw verify` fails while `./mvnw -pl app spring-boot:run` runs (port in use, "The file
 * is locked").
 */
class TestIsolationTest {

  @Test
  void everyTestContextGetsRandomPortsAndADataFolderOfItsOwn() throws Exception {
    try (ConfigurableApplicationContext a = start(); ConfigurableApplicationContext b = start()) {
      int portA = port(a, "local.server.port");
      int portB = port(b, "local.server.port");
      assertThat(portA).as("gateway port").isPositive().isNotEqualTo(8080).isNotEqualTo(portB);
      assertThat(port(a, "local.simulator.port")).as("simulator port").isPositive().isNotEqualTo(8090)
          .isNotEqualTo(port(b, "local.simulator.port"));

      Path dirA = dataDir(a);
      Path dirB = dataDir(b);
      Path root = Path.of(System.getProperty("quotegate.test.data-root", System.getProperty("java.io.tmpdir")))
          .toAbsolutePath().normalize();
      assertThat(dirA).as("data folder").startsWith(root).isNotEqualTo(dirB)
          .isNotEqualTo(Path.of("data").toAbsolutePath().normalize());
      assertThat(dirB).startsWith(root);
      assertThat(dirA.resolve("history.mv.db")).as("the context's own H2 file").exists();
      assertThat(dirB.resolve("history.mv.db")).exists();
      assertThat(Files.isSameFile(dirA.resolve("history.mv.db"), dirB.resolve("history.mv.db"))).isFalse();
    }
  }

  private static ConfigurableApplicationContext start() {
    // Own Netty resources: two contexts at once (IsolatedNetty); no arguments otherwise.
    return new SpringApplicationBuilder(QuotegateApplication.class, IsolatedNetty.class).run();
  }

  private static int port(ConfigurableApplicationContext ctx, String property) {
    return Integer.parseInt(ctx.getEnvironment().getRequiredProperty(property));
  }

  private static Path dataDir(ConfigurableApplicationContext ctx) {
    return ctx.getBean(HistoryProperties.class).dataDir().toAbsolutePath().normalize();
  }
}
