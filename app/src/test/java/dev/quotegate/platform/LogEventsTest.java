package dev.quotegate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** {@code logback.events} counts what is logged, by level, without a turbo filter. */
class LogEventsTest {

  @Test
  void countsLoggedEventsByLevelAndAddsNoTurboFilter() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (LogEvents events = new LogEvents(context, registry)) {
      Logger log = context.getLogger("x");
      log.warn("one");
      log.warn("two");
      log.error("three");
      log.info("four");
      log.debug("below the level: not an event");
      assertThat(registry.get("logback.events").tag("level", "warn").counter().count()).isEqualTo(2);
      assertThat(registry.get("logback.events").tag("level", "error").counter().count()).isEqualTo(1);
      assertThat(registry.get("logback.events").tag("level", "info").counter().count()).isEqualTo(1);
      assertThat(registry.get("logback.events").tag("level", "debug").counter().count()).isZero();
      assertThat(context.getTurboFilterList()).isEmpty();
    }
    context.getLogger("x").warn("after close");
    assertThat(registry.get("logback.events").tag("level", "warn").counter().count()).isEqualTo(2);
  }
}
