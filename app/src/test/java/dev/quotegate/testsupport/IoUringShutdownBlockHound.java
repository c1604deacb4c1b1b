package dev.quotegate.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Netty 4.2's io_uring event loop, as it closes, waits for any other thread still inside
 * {@code IoUringIoHandler.wakeup()} to finish its single {@code write(2)} to the loop's eventfd
 * before it closes that fd ({@code closeWakeupGate}, a {@code Thread.onSpinWait} loop; Netty's
 * own BlockHound integration does not list it). The thread that asked the loop to shut down
 * is the usual writer, so it is seen whenever an event-loop group is disposed with no quiet
 * period (the simulator's {@code stop()}): before this, 9 of the 21 simulator stops of one full
 * build ended with an uncaught {@code BlockingOperationError} on a {@code
 * quotegate-sim-*-io_uring} thread, which also left that loop's cleanup (eventfd, buffers)
 * undone. Only that frame is allowed; any other blocking call on a
 * non-blocking thread still fails. Loaded by BlockHound through ServiceLoader.
 */
public final class IoUringShutdownBlockHound implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("io.netty.channel.uring.IoUringIoHandler", "closeWakeupGate");
  }
}
