package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.stream.SlowConsumerWatch.Reason;
import dev.quotegate.stream.StreamMeters.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

class SlowConsumerWatchTest {

  private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final StreamMeters meters = new StreamMeters(registry, 100);
  private final SlowConsumerWatch watch = new SlowConsumerWatch(StreamTesting.defaults(), meters, time);

  private static final Runnable NO_BEAT = () -> {};

  /** Writes {@code bytes} without flushing: they stay in Netty's outbound buffer. */
  private static void queue(EmbeddedChannel ch, int bytes) {
    ch.write(Unpooled.wrappedBuffer(new byte[bytes]));
  }

  @Test
  void closesAStreamWhoseChannelStaysUnwritableForTheTimeoutAndCountsTheReason() {
    EmbeddedChannel blocked = new EmbeddedChannel();
    EmbeddedChannel reading = new EmbeddedChannel();
    watch.watch(Transport.SSE, new ChannelProbe(blocked), NO_BEAT);
    watch.watch(Transport.SSE, new ChannelProbe(reading), NO_BEAT);
    queue(blocked, 70 * 1024); // above the 64 KB high-water mark set by watch()
    queue(reading, 1024);
    assertThat(blocked.isWritable()).isFalse();
    assertThat(reading.isWritable()).isTrue();

    watch.sweep();
    time.advanceTimeBy(Duration.ofSeconds(9));
    assertThat(watch.sweep()).as("unwritable for 9 s of a 10 s timeout").isZero();
    assertThat(registry.get("quotegate.stream.unwritable").gauge().value()).isEqualTo(1);
    assertThat(registry.get("quotegate.stream.unsent").gauge().value())
        .as("bytes queued in both channels (plus Netty's per-message overhead)").isBetween(71.0 * 1024, 72.0 * 1024);
    time.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(watch.sweep()).isEqualTo(1);

    assertThat(blocked.isOpen()).as("the never-reading client's channel is closed").isFalse();
    assertThat(reading.isOpen()).as("the reading client's channel is left alone").isTrue();
    assertThat(meters.slowDisconnects(Reason.UNWRITABLE)).isEqualTo(1);
    assertThat(registry.get("quotegate.stream.slow.disconnects").tags("transport", "sse", "reason", "unwritable")
        .counter().count()).isEqualTo(1);
    assertThat(watch.size()).isEqualTo(1);
  }

  @Test
  void eachSweepBeatsEveryWatchedStreamsHeartbeatButNotOneItCutsOrOneThatEnded() {
    AtomicInteger reading = new AtomicInteger();
    AtomicInteger blocked = new AtomicInteger();
    AtomicInteger ended = new AtomicInteger();
    EmbeddedChannel stuck = new EmbeddedChannel();
    for (int i = 0; i < 3; i++) { // whatever the set's order, at least two follow a failing one
      watch.watch(Transport.SSE, new ChannelProbe(new EmbeddedChannel()), () -> {
        reading.incrementAndGet();
        throw new IllegalStateException("a failing beat does not stop the sweep");
      });
    }
    watch.watch(Transport.SSE, new ChannelProbe(stuck), blocked::incrementAndGet);
    watch.watch(Transport.SSE, new ChannelProbe(new EmbeddedChannel()), ended::incrementAndGet).dispose();
    queue(stuck, 70 * 1024);

    watch.sweep();
    assertThat(reading.get()).as("every failing beat ran").isEqualTo(3);
    assertThat(blocked.get()).as("a stream not yet cut is beaten (its max-lag check)").isEqualTo(1);
    time.advanceTimeBy(Duration.ofSeconds(10));
    assertThat(watch.sweep()).as("the stuck one is cut").isEqualTo(1);
    assertThat(reading.get()).isEqualTo(6);
    assertThat(blocked.get()).as("no beat for the stream the sweep cuts").isEqualTo(1);
    assertThat(ended.get()).as("none for a stream that ended").isZero();
  }

  @Test
  void theSweepRunsOftenEnoughForHeartbeatsAndMaxLag() {
    assertThat(StreamTesting.defaults().sweepInterval()).isEqualTo(Duration.ofSeconds(1));
    StreamProperties tight = StreamTesting.props(50, Duration.ofMillis(250), Duration.ofSeconds(2),
        Duration.ofSeconds(10), Duration.ofSeconds(30));
    assertThat(tight.sweepInterval()).as("a tenth of a 2 s heartbeat").isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void aChannelThatDrainsInTimeStartsItsClockAgain() {
    EmbeddedChannel ch = new EmbeddedChannel();
    watch.watch(Transport.WEBSOCKET, new ChannelProbe(ch), NO_BEAT);
    queue(ch, 70 * 1024);
    watch.sweep();
    time.advanceTimeBy(Duration.ofSeconds(8));
    ch.flush(); // the client read: Netty's buffer drains, writable again
    assertThat(ch.isWritable()).isTrue();
    watch.sweep();
    queue(ch, 70 * 1024);
    time.advanceTimeBy(Duration.ofSeconds(1));
    watch.sweep();
    time.advanceTimeBy(Duration.ofSeconds(9));
    assertThat(watch.sweep()).as("9 s unwritable since it drained").isZero();
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void closesAStreamHoldingMoreThanMaxUnsentAtOnce() {
    EmbeddedChannel ch = new EmbeddedChannel();
    watch.watch(Transport.SSE, new ChannelProbe(ch), NO_BEAT);
    queue(ch, 300 * 1024); // past max-unsent 256 KB (one huge write)
    assertThat(watch.sweep()).isEqualTo(1);
    assertThat(ch.isOpen()).isFalse();
    assertThat(meters.slowDisconnects(Reason.UNSENT_BYTES)).isEqualTo(1);
  }

  @Test
  void aStreamThatEndedIsNoLongerWatched() {
    EmbeddedChannel ch = new EmbeddedChannel();
    Disposable w = watch.watch(Transport.SSE, new ChannelProbe(ch), NO_BEAT);
    w.dispose();
    queue(ch, 300 * 1024);
    assertThat(watch.sweep()).isZero();
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void theSweepRunsOnItsSchedulerOncePerInterval() {
    EmbeddedChannel ch = new EmbeddedChannel();
    watch.watch(Transport.SSE, new ChannelProbe(ch), NO_BEAT);
    queue(ch, 70 * 1024);
    watch.start();
    try {
      time.advanceTimeBy(Duration.ofSeconds(11));
      assertThat(ch.isOpen()).as("cut by the running sweep (every %s)", StreamTesting.defaults().sweepInterval()).isFalse();
    } finally {
      watch.stop();
    }
  }
}
