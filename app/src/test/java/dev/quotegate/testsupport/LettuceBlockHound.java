package dev.quotegate.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Lettuce 7 guards each connection's write path with {@code SharedLock}, a {@code ReentrantLock}
 * held for a few field updates (no I/O). Under contention the lock parks for microseconds, which
 * BlockHound reports by throwing inside {@code SharedLock.incrementWriters}; Lettuce then runs
 * its {@code finally} (decrementWriters) without the increment, the writer count goes negative
 * and every later write on that connection spins forever. So these short critical sections are
 * allowed; any other blocking call on a non-blocking thread still fails the test.
 */
public final class LettuceBlockHound implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    for (String method : new String[] {"incrementWriters", "decrementWriters", "doExclusive", "lockWritersExclusive"}) {
      builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", method);
    }
  }
}
