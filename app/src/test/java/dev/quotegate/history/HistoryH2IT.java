package dev.quotegate.history;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The history suite on the embedded H2 file database (always runs). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HistoryH2IT extends AbstractHistoryIT {

  static final String DATA_DIR = Path.of("target", "it-h2", UUID.randomUUID().toString()).toString();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    databaseProperties(DATA_DIR).forEach((k, v) -> registry.add(k, () -> v));
  }

  static Map<String, Object> databaseProperties(String dir) {
    return Map.of(
        "quotegate.simulator.port", "0",
        "quotegate.admin.token", TOKEN,
        "quotegate.history.data-dir", dir);
  }

  @Override
  Map<String, Object> databaseProperties() {
    return databaseProperties(DATA_DIR);
  }
}
