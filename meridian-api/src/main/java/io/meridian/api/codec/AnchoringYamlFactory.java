package io.meridian.api.codec;

import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * A YAML factory whose parsers (for byte input, which is how bodies are read) report the anchor of
 * every value. Jackson's own parser reports anchors on maps and lists but loses those on single
 * values in a map ({@code name: &app web}), so {@code *app} could not be resolved.
 *
 * <p>Thread-safety: as {@link YAMLFactory}; each parser is confined to one thread.
 */
final class AnchoringYamlFactory extends YAMLFactory {

  private static final long serialVersionUID = 1L;

  AnchoringYamlFactory(YAMLFactoryBuilder builder) {
    super(builder);
  }

  @Override
  protected YAMLParser _createParser(byte[] data, int offset, int len, IOContext ctxt)
      throws IOException {
    return new Parser(
        ctxt,
        _parserFeatures,
        _yamlParserFeatures,
        _loaderOptions,
        _objectCodec,
        _createReader(data, offset, len, null, ctxt));
  }

  /** A YAML parser that knows the anchor of the current value, single values included. */
  static final class Parser extends YAMLParser {

    Parser(
        IOContext ctxt,
        int parserFeatures,
        int yamlFeatures,
        LoaderOptions options,
        ObjectCodec codec,
        Reader reader) {
      super(ctxt, parserFeatures, yamlFeatures, options, codec, reader);
    }

    /** The anchor ({@code &name}) on the current value, or null. */
    String valueAnchor() throws IOException {
      String anchor = getObjectId();
      if (anchor == null && !isCurrentAlias() && _lastEvent instanceof ScalarEvent scalar) {
        anchor = scalar.getAnchor();
      }
      return anchor;
    }
  }
}
