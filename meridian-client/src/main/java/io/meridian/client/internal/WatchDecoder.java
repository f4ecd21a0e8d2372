package io.meridian.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.api.ApiError;
import io.meridian.api.Kind;
import io.meridian.api.Resource;
import io.meridian.api.codec.Codec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes what the registry sends for one kind: list bodies ({@code {"metadata":
 * {"resourceVersion":"N"}, "items":[...]}}), watch lines ({@code {"type":..., "object":...}}) and
 * error bodies ({@code ApiError}).
 *
 * <p>Reading is lenient on unknown fields, unlike the registry's own strict reading of user input:
 * a client must keep working against a newer registry that added fields.
 *
 * <p>Thread-safety: immutable; safe from any thread (Jackson's {@code ObjectMapper} is, once
 * configured).
 */
public final class WatchDecoder {

  private final ObjectMapper mapper;
  private final Kind kind;

  public WatchDecoder(ObjectMapper mapper, Kind kind) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** A copy of the model's JSON mapper that ignores unknown fields. */
  public static ObjectMapper lenientMapper() {
    return Codec.json().copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  }

  /** A list answer: its items and revision. */
  public record Listing(List<Resource> items, long revision) {}

  public Listing decodeList(byte[] body) throws MalformedException {
    JsonNode root = readTree(body);
    long revision = revisionOf(root.path("metadata"));
    JsonNode items = root.path("items");
    if (!items.isArray() && !items.isMissingNode() && !items.isNull()) {
      throw new MalformedException("items is not an array");
    }
    List<Resource> out = new ArrayList<>(items.size());
    for (JsonNode item : items) {
      out.add(resource(item));
    }
    return new Listing(out, revision);
  }

  public WatchEvent decodeLine(byte[] line) throws MalformedException {
    JsonNode root = readTree(line);
    JsonNode type = root.get("type");
    JsonNode object = root.get("object");
    if (type == null || !type.isTextual()) {
      throw new MalformedException("event has no type");
    }
    if (object == null || !object.isObject()) {
      throw new MalformedException(type.asText() + " event has no object");
    }
    return switch (type.asText()) {
      case "ADDED", "MODIFIED" -> new WatchEvent.Change(false, resource(object));
      case "DELETED" -> new WatchEvent.Change(true, resource(object));
      case "BOOKMARK" -> new WatchEvent.Bookmark(revisionOf(object.path("metadata")));
      case "ERROR" -> new WatchEvent.Failure(error(object));
      default -> new WatchEvent.Unknown(type.asText());
    };
  }

  /** An error body; a body that is no ApiError becomes one with the status and the text. */
  public ApiError decodeError(int status, byte[] body) {
    try {
      ApiError e = mapper.readValue(body, ApiError.class);
      if (e.code() != 0) {
        return e;
      }
    } catch (IOException | RuntimeException e) {
      // fall through: not an ApiError
    }
    String text =
        new String(body, 0, Math.min(body.length, 200), java.nio.charset.StandardCharsets.UTF_8);
    return ApiError.of(status, "Unknown", text);
  }

  private Resource resource(JsonNode node) throws MalformedException {
    Resource r;
    try {
      r = mapper.treeToValue(node, kind.type());
    } catch (IOException | RuntimeException e) {
      throw new MalformedException("not a " + kind.kindName() + ": " + e.getMessage());
    }
    if (r == null
        || r.metadata() == null
        || r.metadata().name() == null
        || r.metadata().name().isEmpty()) {
      throw new MalformedException("a " + kind.kindName() + " without metadata.name");
    }
    return r;
  }

  private ApiError error(JsonNode node) throws MalformedException {
    try {
      return mapper.treeToValue(node, ApiError.class);
    } catch (IOException | RuntimeException e) {
      throw new MalformedException("ERROR event without an ApiError: " + e.getMessage());
    }
  }

  private JsonNode readTree(byte[] bytes) throws MalformedException {
    try {
      JsonNode n = mapper.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw new MalformedException("not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new MalformedException(
          "not JSON: "
              + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
  }

  private static long revisionOf(JsonNode metadata) throws MalformedException {
    JsonNode rv = metadata.path("resourceVersion");
    try {
      return Long.parseLong(rv.asText());
    } catch (NumberFormatException e) {
      throw new MalformedException("resourceVersion is not a revision: " + rv);
    }
  }

  /** What the server sent cannot be understood; the stream is relisted. */
  public static final class MalformedException extends Exception {
    public MalformedException(String message) {
      super(message);
    }
  }
}
