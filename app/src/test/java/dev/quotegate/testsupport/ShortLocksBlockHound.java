package dev.quotegate.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Library critical sections that hold a lock for a few field updates (no I/O) and park only
 * under contention, allowed in the test JVM; any other blocking call on a non-blocking thread
 * still fails the test.
 *
 * <ul>
 *   <li>Lettuce 7 {@code SharedLock} (a {@code ReentrantLock} around each connection's writes).
 *       BlockHound's exception inside {@code incrementWriters} is worse than a false alarm:
 *       Lettuce then runs its {@code finally} (decrementWriters) without the increment, the
 *       writer count goes negative and every later write on that connection spins forever.
 *   <li>Lettuce 7 {@code DefaultEndpoint.validateWrite}: with a bounded request queue
 *       ({@code quotegate.redis.request-queue-size}) it reads the size of its
 *       {@code ArrayBlockingQueue}s, which takes their lock for that read; seen parking at the
 *       first commands of a cold cluster connection (stream.RedisClusterIT warm-up).
 *   <li>Netty 4.2 {@code AdaptivePoolingAllocator} growing its magazines ({@code StampedLock}),
 *       seen when responses are encoded on several threads at once.
 *   <li>Caffeine 3.2 {@code BoundedLocalCache.lock}: a writer that finds the write buffer full
 *       takes the eviction lock ({@code tryLock} with a timeout) and drains the buffers, a
 *       bounded amount of work; seen as a 500 from the simulator when concurrent bar requests
 *       filled its day-statistics cache at once. Its caller {@code afterWrite} first retries the
 *       full write buffer a bounded number of times with {@code Thread.onSpinWait()} between
 *       (which BlockHound counts as blocking) before taking that lock: seen the same way, a
 *       500 from the simulator's bars in PerformanceIT under CI (one history read retried).
 *       The maintenance a writer then runs for the cache (eviction and its listeners) stays
 *       checked.
 * </ul>
 */
public final class ShortLocksBlockHound implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    for (String method : new String[] {"incrementWriters", "decrementWriters", "doExclusive", "lockWritersExclusive"}) {
      builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", method);
    }
    builder.allowBlockingCallsInside("io.lettuce.core.protocol.DefaultEndpoint", "validateWrite");
    builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
    builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
    builder.allowBlockingCallsInside("com.github.benmanes.caffeine.cache.BoundedLocalCache", "lock");
    builder.allowBlockingCallsInside("com.github.benmanes.caffeine.cache.BoundedLocalCache", "afterWrite");
    // ... but not what the writer then does on the cache's behalf (eviction, its listeners)
    builder.disallowBlockingCallsInside("com.github.benmanes.caffeine.cache.BoundedLocalCache", "maintenance");
  }
}
