package dev.quotegate.web;

import dev.quotegate.platform.GatewayException.InvalidRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * Reads JSON request bodies for every handler that takes one, so each client error is the
 * same 4xx problem wherever it happens:
 *
 * <ul>
 *   <li>415 when {@code Content-Type} is missing, unparseable, not JSON, or names a charset other
 *       than UTF-8 (requiring {@code application/json} also means a cross-origin POST always needs
 *       a CORS preflight);
 *   <li>413 when the body is larger than {@code quotegate.web.max-body-size}, decided from
 *       {@code Content-Length} before reading, or while reading (reading stops at the limit);
 *   <li>400 naming the field ({@code holdings[1].quantity}) for a wrong type, an unknown field or
 *       a duplicate key; naming {@code body} for broken JSON, trailing content, or a body past the
 *       mapper's reading limits (nesting depth, number and string length:
 *       {@code spring.jackson.factory.constraints.read.*}).
 * </ul>
 *
 * None of these logs a stack trace: each is counted in {@code quotegate.http.body.refused{reason}}.
 */
@Component
public final class JsonBodies {

  private final JsonMapper json;
  private final WebProperties props;
  private final MeterRegistry registry;

  JsonBodies(JsonMapper json, WebProperties props, MeterRegistry registry) {
    // The application's mapper (its reading limits), made strict for what clients send: a
    // number or a boolean is not a string ({"symbol": true} is not the symbol TRUE), a
    // string is not a number, and an empty string is not null.
    this.json = json.rebuild()
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .withCoercionConfig(LogicalType.Textual, c -> c
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
        .build();
    this.props = props;
    this.registry = registry;
  }

  /** The body as {@code type}; empty when the request has no body. */
  public <T> Mono<T> read(ServerRequest request, Class<T> type) {
    return Mono.defer(
        () -> {
          checkContentType(request.headers().asHttpHeaders());
          int max = (int) Math.min(Integer.MAX_VALUE, props.maxBodySize().toBytes());
          long declared = request.headers().contentLength().orElse(-1);
          if (declared > max) {
            throw tooLarge(max);
          }
          ObjectReader reader = json.readerFor(type)
              .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
              .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
          return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), max)
              .onErrorMap(DataBufferLimitException.class, e -> tooLarge(max))
              .map(buffer -> {
                try {
                  byte[] bytes = new byte[buffer.readableByteCount()];
                  buffer.read(bytes);
                  return bytes;
                } finally {
                  DataBufferUtils.release(buffer);
                }
              })
              .filter(bytes -> bytes.length > 0)
              // a body of JSON null is no body: the handler's "required" answer
              .flatMap(bytes -> Mono.justOrEmpty(this.<T>parse(reader, bytes)));
        });
  }

  private <T> T parse(ObjectReader reader, byte[] bytes) {
    try {
      return reader.readValue(bytes);
    } catch (JacksonException e) {
      throw invalid(e);
    }
  }

  private void checkContentType(HttpHeaders headers) {
    List<String> raw = headers.getOrEmpty(HttpHeaders.CONTENT_TYPE);
    if (raw.isEmpty()) {
      throw unsupported("required: application/json");
    }
    MediaType type;
    try {
      type = MediaType.parseMediaType(raw.get(0));
    } catch (InvalidMediaTypeException e) {
      throw unsupported("unparseable; send application/json");
    }
    boolean jsonType = MediaType.APPLICATION_JSON.isCompatibleWith(type)
        || ("application".equals(type.getType()) && type.getSubtype().endsWith("+json"));
    if (!jsonType || type.isWildcardSubtype()) {
      throw unsupported("'" + type.getType() + "/" + type.getSubtype() + "' is not accepted; send application/json");
    }
    String charset = type.getParameter("charset");
    if (charset != null && !StandardCharsets.UTF_8.name().equalsIgnoreCase(unquote(charset))) {
      throw unsupported("charset must be UTF-8");
    }
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }

  private RuntimeException unsupported(String why) {
    count("content-type");
    return new ResponseStatusException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type: " + why);
  }

  private RuntimeException tooLarge(int max) {
    count("too-large");
    return new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE,
        "body: larger than the limit of " + max + " bytes (quotegate.web.max-body-size)");
  }

  private RuntimeException invalid(JacksonException e) {
    if (e instanceof StreamConstraintsException) {
      count("limits");
      return new InvalidRequest("body", "exceeds the JSON reading limits (" + firstSentence(e.getOriginalMessage()) + ")");
    }
    if (e instanceof UnrecognizedPropertyException u) {
      count("field");
      return new InvalidRequest(path(e), "unknown field '" + abbreviate(u.getPropertyName()) + "'");
    }
    if (e instanceof MismatchedInputException m && !e.getPath().isEmpty()) {
      count("field");
      return new InvalidRequest(path(e), "must be " + expected(m.getTargetType()));
    }
    if (e instanceof StreamReadException r && r.getOriginalMessage() != null
        && r.getOriginalMessage().toLowerCase(Locale.ROOT).startsWith("duplicate")) {
      count("field");
      String msg = r.getOriginalMessage();
      int q1 = msg.indexOf('"');
      int q2 = q1 < 0 ? -1 : msg.indexOf('"', q1 + 1);
      String name = q2 > q1 ? abbreviate(msg.substring(q1 + 1, q2)) : null;
      String at = path(e);
      String field = name == null ? at : at.equals("body") ? name : at + "." + name;
      return new InvalidRequest(field, "given more than once");
    }
    count("syntax");
    var loc = e instanceof StreamReadException r ? r.getLocation() : null;
    String where = loc != null && loc.getLineNr() > 0 ? " at line " + loc.getLineNr() + ", column " + loc.getColumnNr() : "";
    return new InvalidRequest(e.getPath().isEmpty() ? "body" : path(e), "not valid JSON" + where);
  }

  /** {@code holdings[1].quantity} from Jackson's reference chain; {@code body} for the root. */
  static String path(JacksonException e) {
    StringBuilder sb = new StringBuilder();
    for (JacksonException.Reference r : e.getPath()) {
      if (r.getPropertyName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(abbreviate(r.getPropertyName()));
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.isEmpty() ? "body" : sb.toString();
  }

  private static String expected(Class<?> target) {
    if (target == null) {
      return "of another type";
    }
    if (Number.class.isAssignableFrom(target) || (target.isPrimitive() && target != boolean.class)) {
      return "a number";
    }
    if (target == String.class || target.isEnum()) {
      return "a string";
    }
    if (target == java.time.LocalDate.class) {
      return "a date (YYYY-MM-DD)";
    }
    if (java.time.temporal.Temporal.class.isAssignableFrom(target)) {
      return "a date-time (ISO 8601)";
    }
    if (target == Boolean.class || target == boolean.class) {
      return "true or false";
    }
    if (java.util.Collection.class.isAssignableFrom(target) || target.isArray()) {
      return "a list";
    }
    return "an object";
  }

  private static String firstSentence(String s) {
    if (s == null) {
      return "too large";
    }
    int dot = s.indexOf(" (");
    String out = dot > 0 ? s.substring(0, dot) : s;
    return abbreviate(out.toLowerCase(Locale.ROOT));
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= 64 ? clean : clean.substring(0, 64) + "...";
  }

  private void count(String reason) {
    Counter.builder("quotegate.http.body.refused")
        .description("Request bodies refused: content type, size, limits, field or syntax")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }
}
