package dev.quotegate.platform;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code logback.events} (tag {@code level}): the log events written, counted by an appender on
 * the root logger. This replaces Micrometer's Logback binder (its auto-configuration is
 * excluded in {@code QuotegateApplication}), which counts through a Logback turbo filter: a
 * turbo filter runs on every level check, also for the disabled ones, and Netty's io_uring
 * transport checks {@code isTraceEnabled} once per I/O completion, so at 10,000 stream
 * connections the filter took about a tenth of the event loops' CPU (docs/benchmarks.md
 * "Streams"). An appender runs only for an event that is logged.
 */
public final class LogEvents extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final Logger root;
  private final Counter error;
  private final Counter warn;
  private final Counter info;
  private final Counter debug;
  private final Counter trace;

  public LogEvents(LoggerContext context, MeterRegistry registry) {
    this.error = counter(registry, "error");
    this.warn = counter(registry, "warn");
    this.info = counter(registry, "info");
    this.debug = counter(registry, "debug");
    this.trace = counter(registry, "trace");
    setContext(context);
    setName("quotegate-log-events");
    start();
    this.root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(this);
  }

  private static Counter counter(MeterRegistry registry, String level) {
    return Counter.builder("logback.events")
        .description("Number of log events written, by level")
        .tag("level", level)
        .baseUnit("events")
        .register(registry);
  }

  @Override
  protected void append(ILoggingEvent event) {
    switch (event.getLevel().toInt()) {
      case Level.ERROR_INT -> error.increment();
      case Level.WARN_INT -> warn.increment();
      case Level.INFO_INT -> info.increment();
      case Level.DEBUG_INT -> debug.increment();
      default -> trace.increment();
    }
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
  }
}
