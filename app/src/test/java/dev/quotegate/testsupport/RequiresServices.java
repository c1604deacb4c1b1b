package dev.quotegate.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs real services at localhost. Where one is unreachable the
 * class is skipped (the build log counts it as skipped) with the reason printed to the class's
 * output, {@code target/failsafe-reports/<class>-output.txt}; with {@code
 * QUOTEGATE_REQUIRE_SERVICES=true} (set by .ci/run) it fails instead, naming the service.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ServicesCondition.class)
public @interface RequiresServices {

  Service[] value();

  /** A service at localhost. */
  enum Service {
    REDIS("Redis", "127.0.0.1", 6379),
    POSTGRES("PostgreSQL", "127.0.0.1", 5432);

    final String label;
    final String host;
    final int port;

    Service(String label, String host, int port) {
      this.label = label;
      this.host = host;
      this.port = port;
    }
  }
}
