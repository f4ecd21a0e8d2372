package io.meridian.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.meridian.api.Kind;
import io.meridian.api.Resource;
import io.meridian.api.codec.Codec;
import java.util.ArrayList;
import java.util.List;

/**
 * Between the registry's JSON and the model: typed records for tables, pretty JSON and YAML for
 * {@code -o json|yaml}. Stateless.
 */
final class WireFormat {

  private static final ObjectWriter PRETTY =
      Codec.json()
          .writer(
              new DefaultPrettyPrinter()
                  .withSeparators(
                      Separators.createDefaultInstance()
                          .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                  .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE));

  private WireFormat() {}

  /** {@code node} as the record of {@code kind}. */
  static Resource decode(Kind kind, JsonNode node) {
    try {
      return Codec.json().treeToValue(node, kind.type());
    } catch (JsonProcessingException e) {
      throw new CliException(
          "cannot read the " + kind.kindName() + " the registry sent: " + e.getOriginalMessage());
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "cannot read the " + kind.kindName() + " the registry sent: " + e.getMessage());
    }
  }

  static List<Resource> decodeItems(Kind kind, JsonNode list) {
    List<Resource> out = new ArrayList<>();
    for (JsonNode item : list.path("items")) {
      out.add(decode(kind, item));
    }
    return out;
  }

  /** Indented JSON ending with a newline, kubectl's layout. */
  static String prettyJson(Object value) {
    try {
      return PRETTY.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new CliException("cannot write JSON: " + e.getOriginalMessage());
    }
  }

  /** Compact JSON on one line (watch {@code -o json}). */
  static String compactJson(Object value) {
    try {
      return Codec.json().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new CliException("cannot write JSON: " + e.getOriginalMessage());
    }
  }

  static String yaml(Object value) {
    String y = Codec.toYaml(value);
    return y.endsWith("\n") ? y : y + "\n";
  }

  static byte[] toJson(Object value) {
    return Codec.toJson(value);
  }

  /** {@code service/web}: kubectl's way to name one object. */
  static String ref(Kind kind, String name) {
    return kind.kindName().toLowerCase(java.util.Locale.ROOT) + "/" + name;
  }
}
