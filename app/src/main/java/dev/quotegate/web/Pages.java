package dev.quotegate.web;

import dev.quotegate.platform.GatewayException.InvalidRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Cursor pagination: {@code limit} and an opaque {@code cursor} that the previous page
 * answered as {@code nextCursor} (with the whole {@code next} link beside it). A cursor is
 * base64url of its version, a checksum of the query it belongs to (a cursor of another query
 * or endpoint is a 400 naming {@code cursor}) and its position (an offset, or a key such as
 * the last article's time and id); it holds nothing secret and costs nothing to keep.
 */
public final class Pages {

  private static final int MAX_CURSOR = 256;
  private static final String VERSION = "c1";

  private Pages() {}

  /** The position a cursor holds: its parts, as encoded. */
  public record Position(List<String> parts) {

    /** The position as an offset (its first part) in {@code [0, max]}. */
    public int offset(int max) {
      try {
        int o = Integer.parseInt(parts.get(0));
        if (o < 0 || o > max) {
          throw bad();
        }
        return o;
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        throw bad();
      }
    }
  }

  /** The cursor of {@code request} for {@code scope} (endpoint and query), or empty on the first page. */
  public static Optional<Position> cursor(ServerRequest request, String scope) {
    Optional<String> raw = request.queryParam("cursor").filter(s -> !s.isBlank());
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    String c = raw.get().trim();
    if (c.length() > MAX_CURSOR) {
      throw bad();
    }
    String decoded;
    try {
      decoded = new String(Base64.getUrlDecoder().decode(c), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw bad();
    }
    String[] fields = decoded.split("\\|", -1);
    if (fields.length < 3 || !VERSION.equals(fields[0])) {
      throw bad();
    }
    if (!fields[1].equals(check(scope))) {
      throw new InvalidRequest("cursor", "belongs to another query: ask the first page again without cursor");
    }
    List<String> parts = new ArrayList<>(fields.length - 2);
    for (int i = 2; i < fields.length; i++) {
      parts.add(fields[i]);
    }
    return Optional.of(new Position(List.copyOf(parts)));
  }

  /** The offset the cursor of {@code request} holds, 0 without one. */
  public static int offset(ServerRequest request, String scope, int max) {
    return cursor(request, scope).map(p -> p.offset(max)).orElse(0);
  }

  /** An opaque cursor for {@code scope} holding {@code parts} (none may contain '|'). */
  public static String encode(String scope, Object... parts) {
    StringBuilder sb = new StringBuilder(VERSION).append('|').append(check(scope));
    for (Object p : parts) {
      String s = String.valueOf(p);
      if (s.indexOf('|') >= 0) {
        throw new IllegalArgumentException("cursor part contains '|'");
      }
      sb.append('|').append(s);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The request's own path and query with {@code cursor} set to {@code cursor}: the next link. */
  public static String next(ServerRequest request, String cursor) {
    return UriComponentsBuilder.fromUri(request.uri())
        .scheme(null).host(null).port(-1)
        .replaceQueryParam("cursor", cursor)
        .build(false)
        .toUriString();
  }

  private static String check(String scope) {
    CRC32 crc = new CRC32();
    crc.update(scope.getBytes(StandardCharsets.UTF_8));
    return Long.toHexString(crc.getValue());
  }

  private static InvalidRequest bad() {
    return new InvalidRequest("cursor", "not a cursor this endpoint answered: use nextCursor of the previous page");
  }
}
