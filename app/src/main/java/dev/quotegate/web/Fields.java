package dev.quotegate.web;

import dev.quotegate.platform.GatewayException.InvalidRequest;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.web.reactive.function.server.ServerRequest;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Field selection: {@code fields=symbol,price,changePercent} keeps only those fields of each
 * item of an answer ({@code symbol} always stays, so every item still says what it is). An
 * unknown name is a 400 naming {@code fields}, decided before anything is fetched. Numbers pass
 * through as written (decimals are read as {@code BigDecimal}).
 */
public final class Fields {

  private static final JsonMapper TREE = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();
  private static final int MAX_FIELDS = 32;

  private Fields() {}

  /** The JSON field names of a record type, in declaration order. */
  public static List<String> of(Class<? extends Record> type) {
    List<String> out = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      out.add(c.getName());
    }
    return List.copyOf(out);
  }

  /** The {@code fields} parameter, each name one of {@code known}; empty when absent. */
  public static Optional<Set<String>> selected(ServerRequest request, Collection<String> known) {
    Optional<String> raw = request.queryParam("fields").filter(s -> !s.isBlank());
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    String[] parts = raw.get().split(",", -1);
    if (parts.length > MAX_FIELDS) {
      throw new InvalidRequest("fields", "at most " + MAX_FIELDS + " names");
    }
    Set<String> out = new LinkedHashSet<>();
    for (String p : parts) {
      String name = p.trim();
      if (!known.contains(name)) {
        String shown = name.length() > 32 ? name.substring(0, 32) + "..." : name.replaceAll("\\p{Cntrl}", "?");
        throw new InvalidRequest("fields", "unknown field '" + shown + "'; known: " + String.join(", ", known));
      }
      out.add(name);
    }
    out.add("symbol");
    return Optional.of(Set.copyOf(out));
  }

  /** {@code json} with each object of the array at {@code array} (or the root, when null) cut to {@code keep}. */
  public static byte[] select(byte[] json, String array, Set<String> keep) {
    JsonNode root = TREE.readTree(json);
    return TREE.writeValueAsBytes(select(root, array, keep));
  }

  /** {@code value} as a tree with the objects at {@code array} (or the root) cut to {@code keep}. */
  public static JsonNode select(JsonMapper mapper, Object value, String array, Set<String> keep) {
    return select(TREE.readTree(mapper.writeValueAsBytes(value)), array, keep);
  }

  private static JsonNode select(JsonNode root, String array, Set<String> keep) {
    if (array == null) {
      if (root instanceof ObjectNode o) {
        o.retain(keep);
      }
      return root;
    }
    JsonNode items = root.get(array);
    if (items != null && items.isArray()) {
      for (JsonNode item : items) {
        if (item instanceof ObjectNode o) {
          o.retain(keep);
        }
      }
    }
    return root;
  }
}
