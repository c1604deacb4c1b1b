package dev.quotegate.history;

import dev.quotegate.testsupport.RequiresServices;
import dev.quotegate.testsupport.RequiresServices.Service;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The history suite on the real PostgreSQL at localhost (database {@code test}, user
 * {@code postgres}), in a schema of its own that is dropped afterwards, so parallel runs do
 * not collide.
 */
@RequiresServices(Service.POSTGRES)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HistoryPostgresIT extends AbstractHistoryIT {

  static final String SCHEMA = "history_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    props().forEach((k, v) -> registry.add(k, () -> v));
  }

  static Map<String, Object> props() {
    return Map.of(
        "quotegate.simulator.port", "0",
        "quotegate.admin.token", TOKEN,
        "quotegate.history.db-url", "r2dbc:postgresql://127.0.0.1:5432/test",
        "quotegate.history.db-username", "postgres",
        "quotegate.history.db-schema", SCHEMA);
  }

  @Override
  Map<String, Object> databaseProperties() {
    return props();
  }

  @AfterAll
  static void dropSchema() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }
}
