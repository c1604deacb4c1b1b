package dev.quotegate.stream;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The ticks of one poll round that one or more listeners follow, in round order. Listeners that
 * follow the same symbols get the same instance (equality is element identity), so the event
 * encoding a transport makes of it is made once for all of them ({@link #encoded}).
 */
final class TickBatch {

  private final QuoteTick[] ticks;
  private final int hash;
  private volatile Encoded sse;
  private volatile Encoded ws;

  /** An encoding of this batch under one event id. */
  private record Encoded(long id, byte[] bytes) {}

  TickBatch(List<QuoteTick> ticks) {
    this.ticks = ticks.toArray(new QuoteTick[0]);
    int h = 1;
    for (QuoteTick t : this.ticks) {
      h = 31 * h + System.identityHashCode(t);
    }
    this.hash = h;
  }

  List<QuoteTick> ticks() {
    return Arrays.asList(ticks);
  }

  int size() {
    return ticks.length;
  }

  QuoteTick get(int i) {
    return ticks[i];
  }

  /**
   * The encoding of this batch for {@code transport} under event id {@code id}: made by
   * {@code encoder} the first time, then reused (the bytes are shared: never modify them). A
   * different id (a connection whose ids ran ahead) is encoded apart and not kept.
   */
  byte[] encoded(StreamMeters.Transport transport, long id, Supplier<byte[]> encoder, StreamMeters meters) {
    boolean isSse = transport == StreamMeters.Transport.SSE;
    Encoded e = isSse ? sse : ws;
    if (e != null && e.id == id) {
      meters.sharedEncoding(transport);
      return e.bytes;
    }
    byte[] bytes = encoder.get();
    if (e == null) {
      // A race between two threads encodes twice and keeps one: same bytes either way.
      if (isSse) {
        sse = new Encoded(id, bytes);
      } else {
        ws = new Encoded(id, bytes);
      }
    }
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TickBatch other) || other.hash != hash || other.ticks.length != ticks.length) {
      return false;
    }
    for (int i = 0; i < ticks.length; i++) {
      if (ticks[i] != other.ticks[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
