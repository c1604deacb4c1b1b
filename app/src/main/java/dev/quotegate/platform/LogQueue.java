package dev.quotegate.platform;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Log lines leave the calling thread through a bounded queue that never blocks it. Logback's
 * console appender writes to stdout under a lock; when nobody drains stdout (a parent process
 * that stopped reading the pipe, a stuck terminal) the write blocks, and every thread that
 * logs, event loops included, queues behind the lock: the whole gateway wedges on one log
 * line. Here each appender of the root logger is moved behind a Logback {@link AsyncAppender}
 * with {@code neverBlock}: a full queue drops the line (counted) instead of stopping the
 * caller. The queue's depth, capacity and drops are meters: {@code quotegate.logging.queue},
 * {@code quotegate.logging.queue.max}, {@code quotegate.logging.dropped}.
 */
public final class LogQueue {

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(LogQueue.class);

  private final List<CountingAsyncAppender> queues = new ArrayList<>();
  private final Counter dropped;

  /** Wraps the root logger's appenders of {@code context}; nothing happens if there are none. */
  public LogQueue(LoggerContext context, int queueSize, MeterRegistry registry) {
    if (queueSize < 1) {
      throw new IllegalArgumentException("quotegate.logging.queue-size must be at least 1");
    }
    this.dropped = Counter.builder("quotegate.logging.dropped")
        .description("log lines dropped because the log queue was full (stdout or the log file not keeping up)")
        .register(registry);
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    List<Appender<ILoggingEvent>> targets = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> a = it.next();
      if (!(a instanceof AsyncAppender)) {
        targets.add(a);
      }
    }
    for (Appender<ILoggingEvent> target : targets) {
      CountingAsyncAppender async = new CountingAsyncAppender(dropped);
      async.setContext(context);
      async.setName("quotegate-queue-" + target.getName());
      async.setQueueSize(queueSize);
      async.setDiscardingThreshold(0); // drop nothing while there is room, whatever its level
      async.setNeverBlock(true);
      async.setIncludeCallerData(false);
      async.setMaxFlushTime(1000);
      async.addAppender(target);
      async.start();
      root.addAppender(async);
      root.detachAppender(target);
      queues.add(async);
    }
    Gauge.builder("quotegate.logging.queue", this, LogQueue::depth)
        .description("log lines waiting to be written").register(registry);
    Gauge.builder("quotegate.logging.queue.max", () -> (double) queueSize * queues.size())
        .description("capacity of the log queues (quotegate.logging.queue-size per appender)").register(registry);
    if (!queues.isEmpty()) {
      LOG.debug("log appenders behind a queue of {} lines each: {}", queueSize, queues.size());
    }
  }

  /** Lines waiting, over every queue. */
  public double depth() {
    long n = 0;
    for (CountingAsyncAppender q : queues) {
      n += q.getNumberOfElementsInQueue();
    }
    return n;
  }

  /** Lines dropped so far. */
  public double dropped() {
    return dropped.count();
  }

  /** How many appenders were moved behind a queue. */
  public int queues() {
    return queues.size();
  }

  /** Counts the lines a full queue drops (with neverBlock, Logback drops them silently). */
  private static final class CountingAsyncAppender extends AsyncAppender {
    private final Counter dropped;

    CountingAsyncAppender(Counter dropped) {
      this.dropped = dropped;
    }

    @Override
    protected void append(ILoggingEvent event) {
      if (getRemainingCapacity() == 0) {
        dropped.increment();
        return;
      }
      super.append(event);
    }
  }
}
