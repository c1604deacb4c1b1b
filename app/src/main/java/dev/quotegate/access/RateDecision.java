package dev.quotegate.access;

/**
 * What a bucket said about one request.
 *
 * @param allowed whether the request's tokens were taken
 * @param remaining whole tokens left in the bucket
 * @param waitMillis when refused, how long until the bucket holds the request's cost
 * @param local whether an in-process bucket decided (Redis absent or failing)
 */
record RateDecision(boolean allowed, long remaining, long waitMillis, boolean local) {

  /** No bucket decided: limits off, or Redis failing with {@code on-redis-failure: allow}. */
  static final RateDecision UNLIMITED = new RateDecision(true, -1, 0, false);

  boolean unlimited() {
    return remaining < 0;
  }
}
