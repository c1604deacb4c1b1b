package dev.quotegate.stream;

import java.util.concurrent.Executor;

/**
 * Receives the ticks of the symbols it follows on a {@link QuoteStreamHub}: a connection's
 * {@link StreamSession}, or an adapter to a {@code Flux}. Called from the hub's threads; must
 * not block.
 */
interface TickListener {

  /** One tick of a followed symbol (a snapshot, a tick from the bus, a pushed one). */
  void offer(QuoteTick tick);

  /**
   * Every tick of one poll round this listener follows, at once: a session sends them as one
   * batch without waiting for more. {@code round} may be shared by every listener that follows
   * exactly the same symbols of the round (so its encoding can be shared too).
   */
  default void deliver(TickBatch round) {
    for (QuoteTick t : round.ticks()) {
      offer(t);
    }
  }

  /**
   * Where {@link #deliver} should run (the listener's connection's event loop), or null for the
   * hub's own thread; the same answer every time. {@link #offer} is always called on the
   * caller's thread.
   */
  default Executor executor() {
    return null;
  }

  /** The feed stopped (the hub is stopping): no more ticks. */
  default void completed() {}
}
