package dev.quotegate.fetch;

/**
 * A {@link Coalescer} or {@link Batcher} refused new work because one of its bounds is reached.
 *
 * <p>This is a fail-fast overload signal, not a provider failure: nothing was sent upstream. The
 * message names the component and the bound; {@link #component()}, {@link #bound()} and {@link
 * #limit()} carry them for callers that map it (for example to a 503 with Retry-After). The stack
 * trace is not filled in, so that rejecting under overload stays cheap.
 */
public final class CapacityExceededException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String component;
  private final String bound;
  private final int limit;

  CapacityExceededException(String component, String bound, int limit) {
    super(component + " is at its bound " + bound + "=" + limit, null, false, false);
    this.component = component;
    this.bound = bound;
    this.limit = limit;
  }

  /** The component that refused, for example {@code coalescer 'quotes'}. */
  public String component() {
    return component;
  }

  /** The name of the bound that is reached: {@code maxInFlight} or {@code maxPending}. */
  public String bound() {
    return bound;
  }

  /** The configured value of that bound. */
  public int limit() {
    return limit;
  }
}
