package dev.quotegate.stream;

import java.nio.ByteBuffer;
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

  /**
   * An encoding of this batch under one event id, in a direct buffer of the JDK's (freed by the
   * garbage collector once no write holds it, so no reference counting across connections):
   * every connection writes a view of the same memory, without Netty's copy of a heap buffer
   * into direct memory per write.
   */
  private record Encoded(long id, ByteBuffer direct) {}

  TickBatch(List<QuoteTick> ticks) {
    this(ticks, identityHash(ticks));
  }

  /** With {@code hash} computed by the caller: equal for equal tick sequences. */
  TickBatch(List<QuoteTick> ticks, int hash) {
    this.ticks = ticks.toArray(new QuoteTick[0]);
    this.hash = hash;
  }

  private static int identityHash(List<QuoteTick> ticks) {
    int h = 1;
    for (QuoteTick t : ticks) {
      h = 31 * h + System.identityHashCode(t);
    }
    return h;
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
   * The encoding of this batch for {@code transport} under event id {@code id}, as a read-only
   * view for one write: made by {@code encoder} the first time, then shared. A different id (a
   * connection whose ids ran ahead) is encoded apart and not kept.
   */
  ByteBuffer encoded(StreamMeters.Transport transport, long id, Supplier<byte[]> encoder, StreamMeters meters) {
    boolean isSse = transport == StreamMeters.Transport.SSE;
    Encoded e = isSse ? sse : ws;
    if (e != null && e.id == id) {
      meters.sharedEncoding(transport);
      return e.direct.duplicate();
    }
    byte[] bytes = encoder.get();
    if (e != null) {
      return ByteBuffer.wrap(bytes);
    }
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
    // A race between two threads encodes twice and keeps one: same bytes either way.
    if (isSse) {
      sse = new Encoded(id, direct);
    } else {
      ws = new Encoded(id, direct);
    }
    return direct.duplicate();
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
