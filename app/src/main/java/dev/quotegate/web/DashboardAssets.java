package dev.quotegate.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The dashboard's files, read from the classpath into memory once at start-up (on the thread
 * that starts the application, never on an event loop), each with its content type, a strong
 * ETag over its bytes and, where that is smaller, a gzip copy made once. Serving a file is then
 * a map look-up: no classpath or jar read, no compression per request.
 *
 * <p>Our own files live under {@code classpath:dashboard/} ({@code index.html} is {@code /},
 * {@code ops.html} is {@code /ops}, {@code assets/x} is {@code /assets/x}); the chart library
 * comes from its WebJar ({@link #VENDOR}), found without a version in the path so the pom alone
 * pins it.
 */
final class DashboardAssets {

  /** One file as served. */
  record Asset(String path, String contentType, byte[] bytes, byte[] gzip, String etag) {

    /** ETag of the gzip variant: a different representation, so a different strong validator. */
    String gzipEtag() {
      return etag.substring(0, etag.length() - 1) + ".gz\"";
    }
  }

  /** WebJar files served under {@code /assets/vendor/}, by their path inside the WebJar's version folder. */
  static final Map<String, String> VENDOR = Map.of(
      "uplot", "dist/uPlot.iife.min.js",
      "uplot-css", "dist/uPlot.min.css");

  private final Map<String, Asset> byPath;
  private final long totalBytes;
  private final String uplotVersion;

  private DashboardAssets(Map<String, Asset> byPath, long totalBytes, String uplotVersion) {
    this.byPath = byPath;
    this.totalBytes = totalBytes;
    this.uplotVersion = uplotVersion;
  }

  /** Reads every file; fails (start-up) beyond the configured bounds or without the WebJar. */
  static DashboardAssets load(DashboardProperties props) {
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(DashboardAssets.class.getClassLoader());
    Map<String, Asset> out = new LinkedHashMap<>();
    long total = 0;
    try {
      for (Resource r : resolver.getResources("classpath*:dashboard/**/*.*")) {
        String url = r.getURL().toString();
        int at = url.lastIndexOf("/dashboard/");
        String rel = url.substring(at + "/dashboard/".length());
        String path = switch (rel) {
          case "index.html" -> "/";
          case "ops.html" -> "/ops";
          default -> "/" + rel;
        };
        total += put(out, path, r);
      }
      String version = null;
      for (Map.Entry<String, String> v : VENDOR.entrySet()) {
        String file = v.getValue();
        Resource[] found = resolver.getResources("classpath*:META-INF/resources/webjars/uplot/*/" + file);
        if (found.length != 1) {
          throw new IllegalStateException("dashboard: expected one uPlot WebJar file " + file + " on the classpath, found " + found.length);
        }
        String url = found[0].getURL().toString();
        String afterName = url.substring(url.indexOf("/webjars/uplot/") + "/webjars/uplot/".length());
        version = afterName.substring(0, afterName.indexOf('/'));
        total += put(out, "/assets/vendor/" + file.substring(file.lastIndexOf('/') + 1), found[0]);
      }
      if (out.size() > props.maxAssets()) {
        throw new IllegalStateException("dashboard: " + out.size() + " files, more than quotegate.dashboard.max-assets=" + props.maxAssets());
      }
      if (total > props.maxAssetBytes().toBytes()) {
        throw new IllegalStateException("dashboard: " + total + " bytes, more than quotegate.dashboard.max-asset-bytes=" + props.maxAssetBytes());
      }
      if (!out.containsKey("/") || !out.containsKey("/ops")) {
        throw new IllegalStateException("dashboard: index.html or ops.html missing from classpath:dashboard/");
      }
      return new DashboardAssets(Collections.unmodifiableMap(out), total, version);
    } catch (IOException e) {
      throw new UncheckedIOException("dashboard: cannot read its files", e);
    }
  }

  static long put(Map<String, Asset> out, String path, Resource r) throws IOException {
    byte[] bytes;
    try (InputStream in = r.getInputStream()) {
      bytes = in.readAllBytes();
    }
    String type = contentType(path);
    byte[] gz = compressible(type) ? gzip(bytes) : null;
    if (gz != null && gz.length >= bytes.length) {
      gz = null;
    }
    out.put(path, new Asset(path, type, bytes, gz, etag(bytes)));
    return bytes.length;
  }

  /** The file at {@code path}, or null. */
  Asset get(String path) {
    return byPath.get(path);
  }

  int count() {
    return byPath.size();
  }

  long totalBytes() {
    return totalBytes;
  }

  /** The uPlot version found in its WebJar. */
  String uplotVersion() {
    return uplotVersion;
  }

  static String contentType(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    if (p.equals("/") || p.equals("/ops") || p.endsWith(".html")) {
      return "text/html;charset=utf-8";
    }
    if (p.endsWith(".js")) {
      return "text/javascript;charset=utf-8";
    }
    if (p.endsWith(".css")) {
      return "text/css;charset=utf-8";
    }
    if (p.endsWith(".svg")) {
      return "image/svg+xml";
    }
    if (p.endsWith(".png")) {
      return "image/png";
    }
    if (p.endsWith(".json")) {
      return "application/json";
    }
    return "application/octet-stream";
  }

  private static boolean compressible(String type) {
    return type.startsWith("text/") || type.startsWith("image/svg") || type.startsWith("application/json");
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(bytes.length / 3 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(buf) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      gz.write(bytes);
    }
    return buf.toByteArray();
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "DashboardAssets[" + byPath.size() + " files, " + totalBytes + " bytes, uPlot " + uplotVersion + "]";
  }

}
