package io.meridian.api.codec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.meridian.api.FieldError;
import io.meridian.api.InvalidResourceException;
import io.meridian.api.Kind;
import io.meridian.api.Resource;
import io.meridian.api.codec.DocumentReader.Document;
import io.meridian.api.codec.DocumentReader.DuplicateKey;
import io.meridian.api.codec.DocumentReader.SyntaxError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads and writes resources as JSON and YAML with Kubernetes field names.
 *
 * <p>Reading is strict: an unknown field, a wrong type, or an unknown {@code kind} is an error that
 * names the field path ({@code spec.ports[0].port}) or, for a syntax error, the line and column.
 * Writing omits empty fields.
 *
 * <p>How: a body is first read into document trees ({@link DocumentReader}, which also finds
 * duplicate keys and syntax errors), then each tree's {@code kind}/{@code apiVersion} is checked
 * and the tree is bound to its record. A binding failure becomes a {@link FieldError} whose path
 * and message come from the model's declared types and the tree ({@link MappingErrors}), never from
 * Jackson's text. Map entries are named {@code [key]} in paths: {@code metadata.labels[app]}.
 *
 * <p>Thread-safety: stateless; safe from any thread. The shared mappers must not be reconfigured.
 */
public final class Codec {

  private static final ObjectMapper JSON = configure(new ObjectMapper(new JsonFactory()));
  private static final ObjectMapper YAML = configure(new ObjectMapper(yamlFactory()));

  /**
   * For data the registry wrote: unknown fields (from a newer version) are skipped, not refused.
   */
  private static final ObjectReader TRUSTED =
      JSON.reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final Set<String> LIST_FIELDS = Set.of("apiVersion", "kind", "metadata", "items");

  private Codec() {}

  /** The shared JSON mapper (strict on read, NON_EMPTY on write). */
  public static ObjectMapper json() {
    return JSON;
  }

  /** The shared YAML mapper, configured like {@link #json()}. */
  public static ObjectMapper yaml() {
    return YAML;
  }

  /**
   * Decodes one resource of kind {@code expected} from a request body. YAML is read when {@code
   * contentType} says yaml ({@code application/yaml}, {@code application/x-yaml}, {@code
   * text/yaml}); JSON otherwise. {@code apiVersion}/{@code kind} may be absent; when present they
   * must match {@code expected}.
   *
   * @throws InvalidResourceException 400 for syntax, type and unknown-field errors, with every
   *     field error found
   */
  public static Resource decode(byte[] body, String contentType, Kind expected)
      throws InvalidResourceException {
    boolean yaml = contentType != null && contentType.toLowerCase(Locale.ROOT).contains("yaml");
    String format = yaml ? "YAML" : "JSON";
    List<Document> docs = read(yaml, body, "request body is not valid " + format);
    if (docs.isEmpty()) {
      throw InvalidResourceException.badRequest(
          "request body is empty",
          List.of(new FieldError("line 1, column 1", "request body is empty")));
    }
    if (docs.size() > 1) {
      Document extra = docs.get(1);
      String message =
          yaml
              ? "holds more than one document; send one " + expected.kindName()
              : "unexpected data after the end of the " + expected.kindName();
      throw failure(
          "request body is not a valid " + expected.kindName(),
          List.of(new FieldError(extra.location(), message)));
    }
    Document doc = docs.get(0);
    List<FieldError> errors = new ArrayList<>();
    duplicates(doc, "", expected.type(), errors);
    Resource resource = errors.isEmpty() ? bind(doc, expected, "", doc.location(), errors) : null;
    if (!errors.isEmpty()) {
      throw failure("request body is not a valid " + expected.kindName(), errors);
    }
    return resource;
  }

  /**
   * Decodes every resource in a manifest file, as {@code kubectl apply -f} does: a JSON object, a
   * JSON {@code List}/{@code *List} with {@code items}, or a YAML stream of documents separated by
   * {@code ---} (empty documents skipped). The kind of each comes from its {@code kind} field. YAML
   * or JSON is detected from the content.
   *
   * @throws InvalidResourceException 400 naming the document index (documents[2].spec.ports...)
   */
  public static List<Resource> decodeAll(byte[] manifest) throws InvalidResourceException {
    boolean json = looksLikeJson(manifest);
    List<Document> docs =
        read(!json, manifest, "manifest is not valid " + (json ? "JSON" : "YAML"));
    if (docs.isEmpty()) {
      throw InvalidResourceException.badRequest(
          "manifest holds no resources",
          List.of(new FieldError("line 1, column 1", "manifest holds no resources")));
    }
    boolean many = docs.size() > 1;
    List<FieldError> errors = new ArrayList<>();
    List<Resource> out = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      Document doc = docs.get(i);
      String prefix = many ? "documents[" + i + "]." : "";
      String whole = many ? "documents[" + i + "]" : doc.location();
      decodeDocument(doc, prefix, whole, errors, out);
    }
    if (!errors.isEmpty()) {
      throw failure("manifest is not valid", errors);
    }
    return List.copyOf(out);
  }

  /** Any model object (resource, list, event, {@code ApiError}) as compact JSON bytes. */
  public static byte[] toJson(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Any model object as YAML text (no leading {@code ---}). */
  public static String toYaml(Object value) {
    try {
      return YAML.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads JSON bytes as {@code type}, unchecked (for data the registry itself wrote). Fields this
   * version does not know are skipped, so data written by a newer version still reads.
   *
   * @throws UncheckedIOException when the bytes are not JSON of that type
   */
  public static <T> T fromJson(byte[] json, Class<T> type) {
    try {
      return TRUSTED.forType(type).readValue(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- decoding -------------------------------------------------------------------------------

  private static List<Document> read(boolean yaml, byte[] body, String what)
      throws InvalidResourceException {
    if (body == null) {
      return List.of();
    }
    try {
      List<Document> docs =
          new ArrayList<>(DocumentReader.read((yaml ? YAML : JSON).getFactory(), body));
      if (yaml) {
        // Empty YAML documents (read as null or as "") hold no resource.
        docs.removeIf(
            d -> d.tree().isNull() || (d.tree().isTextual() && d.tree().asText().isEmpty()));
      }
      return docs;
    } catch (SyntaxError e) {
      throw failure(what, List.of(new FieldError(e.location(), e.getMessage())));
    }
  }

  private static void decodeDocument(
      Document doc, String prefix, String whole, List<FieldError> errors, List<Resource> out) {
    JsonNode tree = doc.tree();
    if (!tree.isObject()) {
      errors.add(new FieldError(whole, "must be an object, got " + MappingErrors.describe(tree)));
      return;
    }
    JsonNode kindNode = tree.get("kind");
    if (kindNode == null || kindNode.isNull()) {
      errors.add(new FieldError(prefix + "kind", "is required"));
      return;
    }
    if (!kindNode.isTextual()) {
      errors.add(
          new FieldError(
              prefix + "kind", "must be a string, got " + MappingErrors.describe(kindNode)));
      return;
    }
    String kindName = kindNode.asText();
    if (kindName.equals("List") || kindName.endsWith("List")) {
      decodeList(doc, kindName, prefix, errors, out);
      return;
    }
    Optional<Kind> kind = Kind.byKindName(kindName);
    if (kind.isEmpty()) {
      errors.add(new FieldError(prefix + "kind", unknownKind(kindName)));
      return;
    }
    int before = errors.size();
    duplicates(doc, prefix, kind.get().type(), errors);
    if (errors.size() == before) {
      Resource r = bind(doc, kind.get(), prefix, whole, errors);
      if (r != null) {
        out.add(r);
      }
    }
  }

  private static void decodeList(
      Document doc, String kindName, String prefix, List<FieldError> errors, List<Resource> out) {
    Kind implied = null;
    if (!kindName.equals("List")) {
      implied =
          Kind.byKindName(kindName.substring(0, kindName.length() - "List".length())).orElse(null);
      if (implied == null) {
        errors.add(new FieldError(prefix + "kind", unknownKind(kindName)));
        return;
      }
    }
    JsonNode tree = doc.tree();
    for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!LIST_FIELDS.contains(name)) {
        errors.add(new FieldError(prefix + name, "unknown field " + MappingErrors.quote(name)));
      }
    }
    JsonNode items = tree.get("items");
    if (items == null || items.isNull()) {
      return;
    }
    if (!items.isArray()) {
      errors.add(
          new FieldError(prefix + "items", "must be a list, got " + MappingErrors.describe(items)));
      return;
    }
    for (int j = 0; j < items.size(); j++) {
      JsonNode item = items.get(j);
      String itemPrefix = prefix + "items[" + j + "].";
      String itemWhole = prefix + "items[" + j + "]";
      if (!item.isObject()) {
        errors.add(
            new FieldError(itemWhole, "must be an object, got " + MappingErrors.describe(item)));
        continue;
      }
      JsonNode k = item.get("kind");
      Kind kind = implied;
      if (k != null && !k.isNull()) {
        kind = k.isTextual() ? Kind.byKindName(k.asText()).orElse(null) : null;
        if (kind == null) {
          errors.add(
              new FieldError(
                  itemPrefix + "kind",
                  k.isTextual()
                      ? unknownKind(k.asText())
                      : "must be a string, got " + MappingErrors.describe(k)));
          continue;
        }
      } else if (kind == null) {
        errors.add(new FieldError(itemPrefix + "kind", "is required"));
        continue;
      }
      int before = errors.size();
      List<DuplicateKey> own = new ArrayList<>();
      for (DuplicateKey d : doc.duplicates()) {
        List<Object> steps = d.path().steps();
        if (steps.size() > 2 && steps.get(0).equals("items") && steps.get(1).equals(j)) {
          own.add(
              new DuplicateKey(
                  new FieldPath(steps.subList(2, steps.size())), d.line(), d.column()));
        }
      }
      duplicates(
          new Document(item, doc.line(), doc.column(), own), itemPrefix, kind.type(), errors);
      if (errors.size() == before) {
        Resource r =
            bind(
                new Document(item, doc.line(), doc.column(), List.of()),
                kind,
                itemPrefix,
                itemWhole,
                errors);
        if (r != null) {
          out.add(r);
        }
      }
    }
  }

  /** Binds one resource's tree, after checking its {@code kind} and {@code apiVersion}. */
  private static Resource bind(
      Document doc, Kind kind, String prefix, String whole, List<FieldError> errors) {
    JsonNode tree = doc.tree();
    if (!tree.isObject()) {
      errors.add(new FieldError(whole, "must be an object, got " + MappingErrors.describe(tree)));
      return null;
    }
    int before = errors.size();
    expectText(tree, "kind", kind.kindName(), prefix, errors);
    expectText(tree, "apiVersion", kind.apiVersion(), prefix, errors);
    if (errors.size() > before) {
      return null;
    }
    try {
      return JSON.readerFor(kind.type()).readValue(tree);
    } catch (JsonMappingException e) {
      errors.add(MappingErrors.of(e, tree, kind.type(), prefix));
    } catch (IOException e) {
      errors.add(new FieldError(whole, "cannot be read as a " + kind.kindName()));
    }
    return null;
  }

  private static void expectText(
      JsonNode tree, String field, String expected, String prefix, List<FieldError> errors) {
    JsonNode node = tree.get(field);
    if (node == null || node.isNull()) {
      return;
    }
    if (!node.isTextual()) {
      errors.add(
          new FieldError(prefix + field, "must be a string, got " + MappingErrors.describe(node)));
    } else if (!node.asText().equals(expected)) {
      errors.add(
          new FieldError(
              prefix + field, "is " + SyntaxErrors.clip(node.asText()) + ", expected " + expected));
    }
  }

  private static void duplicates(Document doc, String prefix, Type root, List<FieldError> errors) {
    for (DuplicateKey d : doc.duplicates()) {
      List<Object> steps = d.path().steps();
      errors.add(
          new FieldError(
              MappingErrors.join(prefix, d.path().render(root)),
              "duplicate key "
                  + MappingErrors.quote(String.valueOf(steps.get(steps.size() - 1)))
                  + " at line "
                  + d.line()
                  + ", column "
                  + d.column()));
    }
  }

  private static String unknownKind(String kindName) {
    return "unknown kind "
        + MappingErrors.quote(kindName)
        + "; known kinds are "
        + Arrays.stream(Kind.values()).map(Kind::kindName).collect(Collectors.joining(", "));
  }

  private static InvalidResourceException failure(String what, List<FieldError> errors) {
    String message =
        what
            + ": "
            + errors.get(0)
            + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
    return InvalidResourceException.badRequest(message, errors);
  }

  /** JSON when the first character that is not white space (or a BOM) opens an object or array. */
  private static boolean looksLikeJson(byte[] body) {
    if (body == null) {
      return false;
    }
    int i = 0;
    if (body.length >= 3
        && (body[0] & 0xff) == 0xef
        && (body[1] & 0xff) == 0xbb
        && (body[2] & 0xff) == 0xbf) {
      i = 3;
    }
    for (; i < body.length; i++) {
      byte b = body[i];
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '{' || b == '[';
      }
    }
    return false;
  }

  // ---- mappers --------------------------------------------------------------------------------

  private static YAMLFactory yamlFactory() {
    return new AnchoringYamlFactory(
        YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .stringQuotingChecker(new YamlQuoting()));
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    mapper.getFactory().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
    mapper.enable(
        DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
        DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
        DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    // No scalar coercion: "80" is not a port, 80.5 is not an int, 80 is not a name, 1 is not true.
    // (An integer where a float is expected is not a coercion worth refusing.)
    for (LogicalType type :
        List.of(
            LogicalType.Integer,
            LogicalType.Boolean,
            LogicalType.Textual,
            LogicalType.Enum,
            LogicalType.Float)) {
      var config =
          mapper
              .coercionConfigFor(type)
              .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
              .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
              .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
              .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
      if (type != LogicalType.Float) {
        config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
      }
    }
    mapper.setAnnotationIntrospector(new NullElementsRefused());
    // Empty fields are left out; map entries never are (a label's value may be "").
    mapper.setDefaultPropertyInclusion(
        JsonInclude.Value.construct(JsonInclude.Include.NON_EMPTY, JsonInclude.Include.ALWAYS));
    mapper.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    mapper.registerModule(
        new SimpleModule("meridian-empty-records")
            .setSerializerModifier(new EmptyRecordSerializers()));
    return mapper;
  }
}
