package io.meridian.api.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a body into document trees: one per JSON root value or YAML document, in order. Reading the
 * tree before binding lets the codec check {@code kind} first, pick the type per document, and say
 * what value it found where binding failed.
 *
 * <p>Duplicate keys are collected rather than thrown at the first, for JSON and YAML alike, each
 * with its path; a syntax error ends reading and is reported at its line and column.
 *
 * <p>YAML anchors and aliases ({@code &labels}, {@code *labels}) and merge keys ({@code <<:
 * *labels}) are resolved here, as kubectl's YAML reader does; Jackson would hand an alias over as
 * the string {@code "labels"}. Aliased nodes are shared, not copied, and the values they add are
 * counted: past {@link #MAX_ALIASED} the body is refused, so a "billion laughs" document cannot
 * make binding walk billions of nodes.
 *
 * <p>Thread-safety: stateless; safe from any thread (each read has its own state).
 */
final class DocumentReader {

  /**
   * Deeper documents are refused before they can exhaust the stack (Kubernetes objects nest ~15).
   */
  static final int MAX_DEPTH = 256;

  /** Values aliases may add to one body: far above any real manifest, far below an attack. */
  static final long MAX_ALIASED = 100_000;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String MERGE_KEY = "<<";

  /** One document of a body: its tree, where it starts, and the duplicate keys found in it. */
  record Document(JsonNode tree, int line, int column, List<DuplicateKey> duplicates) {
    String location() {
      return "line " + line + ", column " + column;
    }
  }

  /** A key given twice in one object, at {@code path}; the first value is kept. */
  record DuplicateKey(FieldPath path, int line, int column) {}

  /** Thrown for a syntax error: the body is not JSON/YAML at {@code line}, {@code column}. */
  static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;
    final int line;
    final int column;

    SyntaxError(int line, int column, String message) {
      super(message, null, false, false);
      this.line = line;
      this.column = column;
    }

    String location() {
      return "line " + line + ", column " + column;
    }
  }

  private final JsonParser p;
  private final YAMLParser yaml;
  private final Map<String, JsonNode> anchors = new HashMap<>();
  private List<DuplicateKey> dups = new ArrayList<>();
  private long aliased;

  private DocumentReader(JsonParser p) {
    this.p = p;
    this.yaml = p instanceof YAMLParser y ? y : null;
  }

  static List<Document> read(JsonFactory factory, byte[] body) throws SyntaxError {
    List<Document> docs = new ArrayList<>();
    try (JsonParser p = factory.createParser(body)) {
      // Duplicates are detected here with their paths, the same way for JSON and YAML.
      p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      DocumentReader reader = new DocumentReader(p);
      while (p.nextToken() != null) {
        JsonLocation start = p.currentTokenLocation();
        reader.anchors.clear(); // anchors are scoped to their document
        reader.dups = new ArrayList<>();
        JsonNode tree = reader.value(FieldPath.ROOT, 0);
        docs.add(new Document(tree, start.getLineNr(), start.getColumnNr(), reader.dups));
      }
    } catch (JacksonException e) {
      throw SyntaxErrors.of(e);
    } catch (IOException e) {
      throw new SyntaxError(1, 1, "cannot be read: " + SyntaxErrors.clip(e.getMessage()));
    }
    return docs;
  }

  private JsonNode value(FieldPath path, int depth) throws IOException, SyntaxError {
    if (depth > MAX_DEPTH) {
      throw error("nests deeper than " + MAX_DEPTH + " levels");
    }
    if (yaml != null && yaml.isCurrentAlias()) {
      return alias(p.getText());
    }
    String anchor = anchor();
    JsonNode node =
        switch (p.currentToken()) {
          case START_OBJECT -> object(path, depth);
          case START_ARRAY -> {
            ArrayNode array = NODES.arrayNode();
            while (p.nextToken() != JsonToken.END_ARRAY) {
              array.add(value(path.child(array.size()), depth + 1));
            }
            yield array;
          }
          case VALUE_STRING -> NODES.textNode(p.getText());
          case VALUE_NUMBER_INT ->
              switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
              };
          case VALUE_NUMBER_FLOAT -> floatNode();
          case VALUE_TRUE -> NODES.booleanNode(true);
          case VALUE_FALSE -> NODES.booleanNode(false);
          case VALUE_NULL -> NODES.nullNode();
          case VALUE_EMBEDDED_OBJECT -> NODES.pojoNode(p.getEmbeddedObject());
          default -> throw error("unexpected " + p.currentToken());
        };
    if (anchor != null) {
      anchors.put(anchor, node);
    }
    return node;
  }

  private String anchor() throws IOException {
    if (yaml instanceof AnchoringYamlFactory.Parser anchoring) {
      return anchoring.valueAnchor();
    }
    return yaml == null ? null : yaml.getObjectId();
  }

  private ObjectNode object(FieldPath path, int depth) throws IOException, SyntaxError {
    ObjectNode object = NODES.objectNode();
    List<JsonNode> merged = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonLocation at = p.currentTokenLocation();
      p.nextToken();
      JsonNode v = value(path.child(name), depth + 1);
      if (yaml != null && name.equals(MERGE_KEY) && mergeable(v)) {
        if (v.isArray()) {
          v.forEach(merged::add);
        } else {
          merged.add(v);
        }
      } else if (object.has(name)) {
        dups.add(new DuplicateKey(path.child(name), at.getLineNr(), at.getColumnNr()));
      } else {
        object.set(name, v);
      }
    }
    // YAML merge: keys of the object win, then earlier sources over later ones.
    for (JsonNode source : merged) {
      for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!object.has(e.getKey())) {
          object.set(e.getKey(), e.getValue());
        }
      }
    }
    return object;
  }

  private static boolean mergeable(JsonNode v) {
    if (v.isObject()) {
      return true;
    }
    if (!v.isArray() || v.isEmpty()) {
      return false;
    }
    for (JsonNode element : v) {
      if (!element.isObject()) {
        return false;
      }
    }
    return true;
  }

  private JsonNode alias(String name) throws SyntaxError {
    JsonNode target = anchors.get(name);
    if (target == null) {
      throw error("alias *" + SyntaxErrors.clip(name) + " names no anchor defined before it");
    }
    aliased += count(target, MAX_ALIASED - aliased + 1);
    if (aliased > MAX_ALIASED) {
      throw error("aliases expand to more than " + MAX_ALIASED + " values");
    }
    return target;
  }

  /** The number of values in {@code node}, counting no further than {@code limit}. */
  private static long count(JsonNode node, long limit) {
    long n = 1;
    for (JsonNode child : node) {
      if (n > limit) {
        break;
      }
      n += count(child, limit - n);
    }
    return n;
  }

  /** Exactly as written (100.0 stays 100.0, not 1E+2); else a double; else the text. */
  private JsonNode floatNode() throws IOException {
    try {
      return DecimalNode.valueOf(p.getDecimalValue());
    } catch (NumberFormatException | JacksonException e) {
      try {
        return NODES.numberNode(p.getDoubleValue());
      } catch (NumberFormatException | JacksonException again) {
        return NODES.textNode(p.getText());
      }
    }
  }

  private SyntaxError error(String message) {
    JsonLocation at = p.currentTokenLocation();
    return new SyntaxError(Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()), message);
  }
}
