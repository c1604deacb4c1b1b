package dev.quotegate.platform;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Hands a shared result back to each caller's own event loop.
 *
 * <p>A coalesced upstream fetch completes on the thread that reads the upstream answer, and by
 * default every waiter's continuation (building its view, encoding JSON, writing its response)
 * would then run there, one after the other: in a cold stampede, thousands of responses
 * serialised on one thread while the other loops idle. Delivered on the loop the request came
 * in on, the waiters' work is spread over all loops and each response is written from its own
 * channel's thread.
 */
public final class CallerLoop {

  private CallerLoop() {}

  /**
   * {@code source}, its signals delivered on the Netty event loop of the subscribing thread; as
   * is when the subscriber is not on an event loop (schedulers, tests).
   */
  public static <T> Mono<T> deliverOnCallerLoop(Mono<T> source) {
    return Mono.defer(
        () -> {
          EventExecutor loop = ThreadExecutorMap.currentExecutor();
          return loop == null ? source : source.publishOn(Schedulers.fromExecutor(loop));
        });
  }
}
