package dev.quotegate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.simulator.Simulator;
import dev.quotegate.simulator.SimulatorProperties;
import io.netty.channel.uring.IoUring;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The simulator's io_uring event loops close without an uncaught error under BlockHound
 * ({@link IoUringShutdownBlockHound}): a stop used to end now and then with a {@code
 * BlockingOperationError} thrown on the loop's own thread, which no test saw. The race does not
 * show at every stop: without the allowance, 40 stops showed it in 2 runs of 3; the test makes
 * 60.
 */
class IoUringShutdownBlockHoundTest {

  @Test
  void simulatorStopsWithoutAnUncaughtErrorOnItsEventLoops() {
    Assumptions.assumeTrue(IoUring.isAvailable(), "io_uring is not available here: Reactor Netty uses another transport");
    List<String> uncaught = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(thread.getName() + ": " + e));
    try {
      for (int i = 0; i < 60; i++) {
        Simulator simulator = Simulator.create(SimulatorProperties.defaults().withPort(0), Clock.systemUTC()).start();
        simulator.stop();
      }
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }
    assertThat(uncaught).as("errors thrown on event-loop threads while 60 simulators stopped").isEmpty();
  }
}
