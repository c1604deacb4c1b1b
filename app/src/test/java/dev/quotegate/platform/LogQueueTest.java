package dev.quotegate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A stuck console (an appender whose write never returns) must not stop the threads that log. */
class LogQueueTest {

  /** Blocks every write until released, as a console whose stdout nobody drains. */
  static final class StuckConsole extends AppenderBase<ILoggingEvent> {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger written = new AtomicInteger();

    @Override
    protected void append(ILoggingEvent e) {
      try {
        release.await();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      written.incrementAndGet();
    }
  }

  /** A context of its own (not the test JVM's), with the MDC adapter Logback's initialiser would set. */
  private static LoggerContext context() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    return context;
  }

  @Test
  void aStuckConsoleDropsLinesInsteadOfBlockingTheCaller() throws Exception {
    LoggerContext context = context();
    StuckConsole console = new StuckConsole();
    console.setContext(context);
    console.setName("CONSOLE");
    console.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(console);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LogQueue queue = new LogQueue(context, 64, registry);
    assertThat(queue.queues()).isEqualTo(1);
    assertThat(root.getAppender("CONSOLE")).as("the console now sits behind the queue").isNull();

    Thread caller = new Thread(() -> {
      for (int i = 0; i < 10_000; i++) {
        root.warn("line {}", i);
      }
    });
    long t0 = System.nanoTime();
    caller.start();
    caller.join(Duration.ofSeconds(10).toMillis());
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(caller.isAlive()).as("the logging thread returned although the console is stuck").isFalse();
    assertThat(tookMs).isLessThan(10_000);
    // Logback's worker drains the whole queue into a batch of its own before writing it: at
    // most 64 in that batch (one of them stuck being written) and 64 queued; the rest dropped
    assertThat(queue.dropped()).isGreaterThanOrEqualTo(10_000 - 2 * 64);
    assertThat(registry.get("quotegate.logging.dropped").counter().count()).isEqualTo(queue.dropped());
    assertThat(registry.get("quotegate.logging.queue.max").gauge().value()).isEqualTo(64);
    assertThat(registry.get("quotegate.logging.queue").gauge().value()).isGreaterThan(0);

    console.release.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (console.written.get() < 10_000 - queue.dropped() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat((double) console.written.get()).as("every line not dropped is written once the console drains")
        .isEqualTo(10_000 - queue.dropped());
    context.stop();
  }

  @Test
  void aDrainedConsoleLosesNothing() throws Exception {
    LoggerContext context = context();
    StuckConsole console = new StuckConsole();
    console.release.countDown();
    console.setContext(context);
    console.setName("CONSOLE");
    console.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(console);
    LogQueue queue = new LogQueue(context, 8192, new SimpleMeterRegistry());
    for (int i = 0; i < 5_000; i++) {
      root.warn("line {}", i);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (console.written.get() < 5_000 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(console.written.get()).isEqualTo(5_000);
    assertThat(queue.dropped()).isZero();
    context.stop();
  }
}
