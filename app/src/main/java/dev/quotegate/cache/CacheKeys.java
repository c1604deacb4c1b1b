package dev.quotegate.cache;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Redis key names of the cache tier:
 *
 * <pre>
 *   value  &lt;prefix&gt;:c1:&lt;kind&gt;:{&lt;id&gt;}          e.g. qg:c1:quote:{AAPL}
 *   lease  &lt;prefix&gt;:c1:&lt;kind&gt;:{&lt;id&gt;}:lease
 *   fills  &lt;prefix&gt;:c1:fills                   (pub/sub channel)
 * </pre>
 *
 * <p>{@code c1} is the key schema version: a change of key layout or value meaning bumps it, so
 * old and new gateways never read each other's entries during a rolling upgrade. The id is a
 * Redis Cluster hash tag: a value and its lease share a slot (so a script may touch both), while
 * different ids spread over the cluster. A multi-key read (MGET) of several ids therefore spans
 * slots; on Redis Cluster it is split per slot (Lettuce's cluster client does this), never forced
 * into one slot, which would put every quote on one node.
 */
public final class CacheKeys {

  /** Key schema version. */
  public static final String SCHEMA = "c1";

  /** What an id may hold: no glob or hash-tag characters, bounded length. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._^=:/-]{1,200}");

  private final String prefix;

  public CacheKeys(String prefix) {
    this.prefix = Objects.requireNonNull(prefix, "prefix") + ":" + SCHEMA + ":";
  }

  public String value(CacheKind kind, String id) {
    return prefix + kind.tag() + ":{" + checkId(id) + "}";
  }

  public String lease(CacheKind kind, String id) {
    return value(kind, id) + ":lease";
  }

  public String fillsChannel() {
    return prefix + "fills";
  }

  /** SCAN pattern of the value keys of {@code kind} whose id matches {@code idGlob}. */
  public String valuePattern(CacheKind kind, String idGlob) {
    return prefix + kind.tag() + ":{" + idGlob + "}";
  }

  /** The id inside a value key of {@code kind}, or null if the key is not one. */
  public String idOf(CacheKind kind, String key) {
    String head = prefix + kind.tag() + ":{";
    if (!key.startsWith(head) || !key.endsWith("}")) {
      return null;
    }
    return key.substring(head.length(), key.length() - 1);
  }

  /**
   * Ids of values are symbols or short canonical strings; anything longer or with other
   * characters (a search query, say) is hashed first by the caller ({@link #hashed(String)}).
   */
  static String checkId(String id) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("cache id must match " + ID.pattern() + ": " + id);
    }
    return id;
  }

  /** A stable id for an arbitrary string (e.g. a search query): hex SHA-256. */
  public static String hashed(String raw) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(64);
      for (byte b : d) {
        sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return sb.toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code text} matches the Redis-style glob {@code glob} ({@code *} and {@code ?}). */
  public static boolean globMatches(String glob, String text) {
    return globMatches(glob, 0, text, 0);
  }

  private static boolean globMatches(String g, int gi, String t, int ti) {
    while (gi < g.length()) {
      char c = g.charAt(gi);
      if (c == '*') {
        while (gi < g.length() && g.charAt(gi) == '*') {
          gi++;
        }
        if (gi == g.length()) {
          return true;
        }
        for (int k = ti; k <= t.length(); k++) {
          if (globMatches(g, gi, t, k)) {
            return true;
          }
        }
        return false;
      }
      if (ti >= t.length() || (c != '?' && c != t.charAt(ti))) {
        return false;
      }
      gi++;
      ti++;
    }
    return ti == t.length();
  }
}
