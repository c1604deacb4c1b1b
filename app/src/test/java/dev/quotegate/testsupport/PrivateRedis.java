package dev.quotegate.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A redis-server of the test's own on a free port, which the test can kill and start again
 * (on the same port). Where no redis-server binary exists the test is skipped with a printed
 * reason, or fails with {@code QUOTEGATE_REQUIRE_SERVICES=true}.
 */
public final class PrivateRedis implements AutoCloseable {

  private static final String[] CANDIDATES = {"/usr/bin/redis-server", "/usr/local/bin/redis-server"};

  private final String binary;
  private final int port;
  private Process process;

  private PrivateRedis(String binary, int port) {
    this.binary = binary;
    this.port = port;
  }

  /** Starts one, or skips (fails under QUOTEGATE_REQUIRE_SERVICES=true) without the binary. */
  public static PrivateRedis startOrSkip() throws IOException {
    String binary = null;
    for (String c : CANDIDATES) {
      if (new File(c).canExecute()) {
        binary = c;
      }
    }
    if (binary == null) {
      String reason = "no redis-server binary at " + String.join(" or ", CANDIDATES);
      if (ServicesCondition.required()) {
        throw new IllegalStateException(reason + " and QUOTEGATE_REQUIRE_SERVICES=true");
      }
      System.out.println("SKIPPED: " + reason);
      Assumptions.abort(reason);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PrivateRedis redis = new PrivateRedis(binary, port);
    redis.start();
    return redis;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server and waits until it accepts connections. */
  public synchronized void start() throws IOException {
    process =
        new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--protected-mode", "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.onSpinWait();
      }
    }
    throw new IOException("redis-server did not start on port " + port);
  }

  /**
   * Freezes the server (SIGSTOP): connections stay open, nothing answers, and what clients send
   * meanwhile waits in the socket buffers, run when the server is resumed.
   */
  public synchronized void freeze() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** Resumes a frozen server (SIGCONT): it works through its backlog, then answers again. */
  public synchronized void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    if (process == null) {
      throw new IllegalStateException("redis-server is not running");
    }
    Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill " + signal + " " + process.pid() + " failed");
    }
  }

  /** Kills the server at once (SIGKILL): connections drop, nothing answers. */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
