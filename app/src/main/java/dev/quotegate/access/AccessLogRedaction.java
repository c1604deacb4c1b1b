package dev.quotegate.access;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.http.server.logging.AccessLog;
import reactor.netty.http.server.logging.AccessLogArgProvider;

/**
 * Reactor Netty's access log without keys: the log is off unless the JVM runs with {@code
 * -Dreactor.netty.http.server.accessLogEnabled=true}; when it is on, this customizer writes it
 * in Reactor Netty's own format but with the value of every {@code api_key} query parameter
 * (however its name is percent-encoded) masked, so the stream's query key never reaches a log
 * file.
 */
final class AccessLogRedaction implements NettyServerCustomizer {

  static final String ENABLED = "reactor.netty.http.server.accessLogEnabled";
  private static final String FORMAT = "{} - {} [{}] \"{} {} {}\" {} {} {} ms";
  private static final String MASK = "****";

  @Override
  public reactor.netty.http.server.HttpServer apply(reactor.netty.http.server.HttpServer server) {
    if (!Boolean.getBoolean(ENABLED)) {
      return server;
    }
    return server.accessLog(true, AccessLogRedaction::line);
  }

  private static AccessLog line(AccessLogArgProvider a) {
    return AccessLog.create(FORMAT, host(a.remoteAddress()), a.user() == null ? "-" : a.user(), a.zonedDateTime(),
        a.method(), redact(a.uri()), a.protocol(), a.status(), a.contentLength() < 0 ? "-" : a.contentLength(),
        a.duration());
  }

  private static String host(SocketAddress address) {
    return address instanceof InetSocketAddress i ? i.getHostString() : String.valueOf(address);
  }

  /** {@code uri} with the value of each {@code api_key} query parameter replaced by {@code ****}. */
  static String redact(CharSequence uri) {
    if (uri == null) {
      return null;
    }
    String s = uri.toString();
    int q = s.indexOf('?');
    if (q < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length()).append(s, 0, q + 1);
    String[] params = s.substring(q + 1).split("&", -1);
    for (int i = 0; i < params.length; i++) {
      if (i > 0) {
        out.append('&');
      }
      String p = params[i];
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq);
      if (isKeyName(name)) {
        out.append(name).append('=').append(MASK);
      } else {
        out.append(p);
      }
    }
    return out.toString();
  }

  private static boolean isKeyName(String raw) {
    String name;
    try {
      name = URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException undecodable) {
      // a name that cannot be decoded is masked too: better one value too many
      return true;
    }
    return name.trim().toLowerCase(Locale.ROOT).equals(ClientAccess.QUERY_KEY_PARAM);
  }
}
