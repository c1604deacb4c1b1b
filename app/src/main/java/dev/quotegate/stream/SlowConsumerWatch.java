package dev.quotegate.stream;

import dev.quotegate.stream.StreamMeters.Transport;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * Cuts off stream clients that do not read. One sweep per instance (not a timer per
 * connection), every {@link StreamProperties#sweepInterval()}, looks at every open stream's
 * channel: one that has stayed unwritable for {@code unwritable-timeout}, or holds more than
 * {@code max-unsent} bytes in Netty, is closed and counted
 * ({@code quotegate.stream.slow.disconnects{reason}}). The sweep also sums what waits unsent
 * and how many channels are unwritable now (gauges), so an operator sees the pressure before
 * the cuts. The same pass beats each stream's heartbeat ({@link StreamSession#beat}: a
 * heartbeat after {@code heartbeat-interval} without an event, the {@code max-lag} check while
 * it cannot send), so no stream holds a timer of its own for it.
 *
 * <p>Closing the channel directly (not an error event first) is deliberate: a channel that
 * takes no data would never send that event, and the write would wait on it forever.
 */
final class SlowConsumerWatch implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(SlowConsumerWatch.class);

  /** Why a stream was cut off. */
  enum Reason {
    UNWRITABLE("unwritable"),
    UNSENT_BYTES("unsent-bytes"),
    MAX_LAG("max-lag");

    final String tag;

    Reason(String tag) {
      this.tag = tag;
    }
  }

  /** One watched stream. */
  private static final class Watched implements Disposable {
    final Transport transport;
    final ChannelProbe probe;
    final Runnable beat;
    final Set<Watched> owner;
    long unwritableSince = -1; // only the sweep touches it

    Watched(Transport transport, ChannelProbe probe, Runnable beat, Set<Watched> owner) {
      this.transport = transport;
      this.probe = probe;
      this.beat = beat;
      this.owner = owner;
    }

    @Override
    public void dispose() {
      owner.remove(this);
    }
  }

  private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
  private final StreamProperties props;
  private final StreamMeters meters;
  private final Scheduler scheduler;
  private final long timeoutMs;
  private final long maxUnsent;
  private volatile long unsent;
  private volatile int unwritable;
  private volatile Disposable loop;

  SlowConsumerWatch(StreamProperties props, StreamMeters meters, Scheduler scheduler) {
    this.props = Objects.requireNonNull(props, "props");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.timeoutMs = props.unwritableTimeout().toMillis();
    this.maxUnsent = props.maxUnsent().toBytes();
    meters.watchGauges(() -> unsent, () -> unwritable);
  }

  /**
   * Watches a stream's channel (after bounding its buffers) and runs {@code beat} (its
   * session's heartbeat check) at every sweep, until the returned handle is disposed (when
   * the stream ends).
   */
  Disposable watch(Transport transport, ChannelProbe probe, Runnable beat) {
    probe.bound((int) props.sendBuffer().toBytes(), (int) props.writeBufferLow().toBytes(),
        (int) props.writeBufferHigh().toBytes());
    Watched w = new Watched(transport, probe, Objects.requireNonNull(beat, "beat"), watched);
    watched.add(w);
    return w;
  }

  /** One pass over every watched stream; answers how many were cut. */
  int sweep() {
    long now = scheduler.now(TimeUnit.MILLISECONDS);
    long total = 0;
    int blocked = 0;
    Map<Reason, Integer> cuts = new EnumMap<>(Reason.class);
    for (Watched w : watched) {
      long pending = w.probe.unsent();
      total += pending;
      Reason reason = null;
      if (pending > maxUnsent) {
        reason = Reason.UNSENT_BYTES;
      } else if (!w.probe.isWritable()) {
        blocked++;
        if (w.unwritableSince < 0) {
          w.unwritableSince = now;
        } else if (now - w.unwritableSince >= timeoutMs) {
          reason = Reason.UNWRITABLE;
          meters.unwritableAtCut(now - w.unwritableSince);
        }
      } else {
        w.unwritableSince = -1;
      }
      if (reason == null) {
        beat(w);
      } else {
        w.dispose();
        meters.slowConsumer(w.transport, reason);
        cuts.merge(reason, 1, Integer::sum);
        log.debug("closing {} stream: slow consumer ({}, {} bytes unsent, unwritable for {} ms)",
            w.transport.tag, reason.tag, pending, w.unwritableSince < 0 ? 0 : now - w.unwritableSince);
        w.probe.abort().run();
      }
    }
    unsent = total;
    unwritable = blocked;
    if (!cuts.isEmpty()) {
      log.info("closed slow stream consumers: {} (unwritable-timeout {}, max-unsent {})", cuts,
          props.unwritableTimeout(), props.maxUnsent());
    }
    return cuts.values().stream().mapToInt(Integer::intValue).sum();
  }

  private void beat(Watched w) {
    try {
      w.beat.run();
    } catch (RuntimeException e) {
      meters.loopError();
      log.warn("a stream's heartbeat failed", e);
    }
  }

  int size() {
    return watched.size();
  }

  @Override
  public synchronized void start() {
    if (loop != null) {
      return;
    }
    long every = props.sweepInterval().toMillis();
    loop = Flux.interval(props.sweepInterval(), scheduler)
        .onBackpressureDrop()
        .subscribe(t -> {
          try {
            sweep();
          } catch (RuntimeException e) {
            meters.loopError();
            log.warn("slow-consumer sweep failed (the next one runs in {} ms)", every, e);
          }
        }, e -> log.error("slow-consumer sweep ended", e));
  }

  @Override
  public synchronized void stop() {
    if (loop != null) {
      loop.dispose();
      loop = null;
    }
  }

  @Override
  public boolean isRunning() {
    return loop != null;
  }
}
