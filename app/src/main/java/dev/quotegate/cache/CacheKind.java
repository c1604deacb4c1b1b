package dev.quotegate.cache;

/** The kinds of data the gateway caches; each has its own TTL and metrics tag. */
public enum CacheKind {
  QUOTE("quote"),
  PROFILE("profile"),
  NEWS("news"),
  SEARCH("search");

  private final String tag;

  CacheKind(String tag) {
    this.tag = tag;
  }

  public String tag() {
    return tag;
  }

  /** The kind whose {@link #tag()} is {@code tag}, or null. */
  public static CacheKind ofTag(String tag) {
    for (CacheKind k : values()) {
      if (k.tag.equals(tag)) {
        return k;
      }
    }
    return null;
  }
}
