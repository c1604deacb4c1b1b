package dev.quotegate.cache;

/** The kinds of data the gateway caches; each has its own TTL and metrics tag. */
public enum CacheKind {
  QUOTE("quote");

  private final String tag;

  CacheKind(String tag) {
    this.tag = tag;
  }

  public String tag() {
    return tag;
  }
}
