package io.meridian.api.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.meridian.api.FieldError;
import io.meridian.api.InvalidResourceException;
import io.meridian.api.Kind;
import io.meridian.api.Namespace;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CodecErrorsTest {

  static InvalidResourceException decodeFails(String body, String contentType, Kind kind) {
    return catchThrowableOfType(
        InvalidResourceException.class,
        () -> Codec.decode(body.getBytes(UTF_8), contentType, kind));
  }

  static InvalidResourceException decodeAllFails(String manifest) {
    return catchThrowableOfType(
        InvalidResourceException.class, () -> Codec.decodeAll(manifest.getBytes(UTF_8)));
  }

  @Test
  void aFailureIsA400WithEveryProblemAndASummaryNamingTheFirst() {
    InvalidResourceException e =
        decodeAllFails(
            """
            kind: Service
            spec: {ports: [{port: "80"}]}
            ---
            kind: Instance
            spec: {weight: heavy}
            ---
            kind: Deployment
            """);
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.reason()).isEqualTo("BadRequest");
    assertThat(e.errors())
        .containsExactly(
            new FieldError(
                "documents[0].spec.ports[0].port", "must be an integer, got string \"80\""),
            new FieldError("documents[1].spec.weight", "must be an integer, got string \"heavy\""),
            new FieldError(
                "documents[2].kind",
                "unknown kind \"Deployment\"; known kinds are Service, Instance, Endpoints, Node,"
                    + " Namespace"));
    assertThat(e.getMessage())
        .isEqualTo(
            "manifest is not valid: documents[0].spec.ports[0].port: must be an integer, got string"
                + " \"80\" (and 2 more)");
    assertThat(e.toApiError().details()).hasSize(3);
  }

  @Test
  void aSingleDocumentManifestHasNoDocumentPrefixEvenAfterEmptyDocuments() {
    InvalidResourceException e =
        decodeAllFails("---\n# leading comment\n---\nkind: Service\nspek: {}\n---\n");
    assertThat(e.errors())
        .containsExactly(new FieldError("spek", "unknown field \"spek\" (did you mean \"spec\"?)"));
  }

  @Test
  void listItemsTakeTheirKindFromTheListKindWhenTheyOmitIt() throws Exception {
    List<Resource> all =
        Codec.decodeAll(
"""
{"apiVersion": "v1", "kind": "NamespaceList", "metadata": {"resourceVersion": "7"},
 "items": [{"metadata": {"name": "a"}}, {"kind": "Namespace", "metadata": {"name": "b"}}]}
"""
                .getBytes(UTF_8));
    assertThat(all).extracting(r -> r.metadata().name()).containsExactly("a", "b");
    assertThat(all).allMatch(r -> r instanceof Namespace);
  }

  @Test
  void listsAreCheckedLikeEverythingElse() {
    assertThat(decodeAllFails("{\"kind\": \"DeploymentList\", \"items\": []}").errors())
        .extracting(FieldError::field)
        .containsExactly("kind");
    assertThat(decodeAllFails("{\"kind\": \"List\", \"items\": {}}").errors())
        .containsExactly(new FieldError("items", "must be a list, got an object"));
    assertThat(decodeAllFails("{\"kind\": \"List\", \"itemz\": []}").errors())
        .containsExactly(new FieldError("itemz", "unknown field \"itemz\""));
    assertThat(decodeAllFails("{\"kind\": \"List\", \"items\": [{\"metadata\": {}}, 7]}").errors())
        .containsExactly(
            new FieldError("items[0].kind", "is required"),
            new FieldError("items[1]", "must be an object, got number 7"));
  }

  @Test
  void aManifestWithNothingInItIsRefused() {
    assertThat(decodeAllFails("# nothing here\n---\n").getMessage())
        .isEqualTo("manifest holds no resources");
    assertThat(decodeAllFails("").getMessage()).isEqualTo("manifest holds no resources");
  }

  @Test
  void manifestsAreJsonWhenTheyOpenWithABraceAfterWhiteSpaceOrAByteOrderMark() throws Exception {
    String two =
        "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}}\n"
            + "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"b\"}}";
    assertThat(Codec.decodeAll(("\n  " + two).getBytes(UTF_8))).hasSize(2);
    assertThat(Codec.decodeAll(("\ufeff" + two).getBytes(UTF_8))).hasSize(2);
    // Not JSON: so YAML, where a JSON syntax error reads differently but is still located.
    assertThat(decodeAllFails("{\"kind\": \"Namespace\",, }").errors().get(0).field())
        .isEqualTo("line 1, column 22");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/yaml",
        "application/x-yaml",
        "text/yaml",
        "application/yaml; charset=utf-8",
        "Application/YAML"
      })
  void yamlContentTypesAreReadAsYaml(String contentType) throws Exception {
    Resource r =
        Codec.decode("metadata:\n  name: web\n".getBytes(UTF_8), contentType, Kind.SERVICE);
    assertThat(r.metadata().name()).isEqualTo("web");
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json", "application/merge-patch+json", "text/plain"})
  void otherContentTypesAreReadAsJson(String contentType) {
    assertThat(decodeFails("metadata:\n  name: web\n", contentType, Kind.SERVICE).getMessage())
        .startsWith("request body is not valid JSON: line 1, column 1: ");
    assertThat(decodeFails("metadata:\n  name: web\n", null, Kind.SERVICE).errors()).hasSize(1);
  }

  @Test
  void aNullBodyIsAnEmptyBodyButJsonNullIsNoObject() {
    assertThatThrownBy(() -> Codec.decode(null, null, Kind.SERVICE))
        .hasMessage("request body is empty");
    assertThat(decodeFails("null", "application/json", Kind.SERVICE).errors())
        .containsExactly(new FieldError("line 1, column 1", "must be an object, got null"));
    assertThat(decodeFails("{} null", "application/json", Kind.SERVICE).errors())
        .containsExactly(
            new FieldError("line 1, column 4", "unexpected data after the end of the Service"));
  }

  @Test
  void duplicateKeysAreAllReportedWithTheirPathsAndLines() {
    InvalidResourceException e =
        decodeFails(
            """
            metadata:
              name: web
              labels:
                app: web
                app: api
            spec:
              type: ClusterIP
              type: NodePort
            """,
            "application/yaml",
            Kind.SERVICE);
    assertThat(e.errors())
        .containsExactly(
            new FieldError("metadata.labels[app]", "duplicate key \"app\" at line 5, column 5"),
            new FieldError("spec.type", "duplicate key \"type\" at line 8, column 3"));
  }

  @Test
  void yamlAnchorsAliasesAndMergeKeysResolveAsKubectlResolvesThem() throws Exception {
    Service s =
        (Service)
            Codec.decode(
                """
                metadata:
                  name: &name web
                  labels: &labels {app: *name, tier: front}
                spec:
                  selector: *labels
                  ports:
                  - &http {name: http, port: 80, targetPort: 8080}
                  - <<: *http
                    name: alt
                    port: 81
                """
                    .getBytes(UTF_8),
                "application/yaml",
                Kind.SERVICE);
    assertThat(s.metadata().labels()).isEqualTo(Map.of("app", "web", "tier", "front"));
    assertThat(s.spec().selector()).isEqualTo(s.metadata().labels());
    assertThat(s.spec().ports())
        .extracting(p -> p.name() + ":" + p.port() + "->" + p.targetPort())
        .containsExactly("http:80->8080", "alt:81->8080");
  }

  @Test
  void anAliasToNoAnchorAndABillionLaughsAreRefused() {
    assertThat(decodeFails("metadata: {name: *web}\n", "application/yaml", Kind.SERVICE).errors())
        .containsExactly(
            new FieldError("line 1, column 18", "alias *web names no anchor defined before it"));
    StringBuilder lol =
        new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 9; i++) {
      lol.append("a").append(i).append(": &a").append(i).append(" [");
      for (int k = 0; k < 10; k++) {
        lol.append(k == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      lol.append("]\n");
    }
    assertThat(
            decodeFails(lol.toString(), "application/yaml", Kind.SERVICE).errors().get(0).message())
        .isEqualTo("aliases expand to more than 100000 values");
  }

  @Test
  void deeplyNestedInputIsRefusedNotOverflowed() {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    InvalidResourceException e = decodeFails(deep, "application/json", Kind.SERVICE);
    assertThat(e.errors().get(0).message()).contains("nest");
  }

  @Test
  void yamlKeysThatAreListsAreRefusedWithoutNamingParserInternals() {
    assertThat(
            decodeFails("metadata:\n  ? [a]\n  : b\n", "application/yaml", Kind.SERVICE).errors())
        .containsExactly(
            new FieldError("line 2, column 6", "keys must be plain values, not lists or maps"));
  }

  @Test
  void anEmptyFieldNameIsNamedInBrackets() {
    assertThat(decodeFails("\"\": 1\n", "application/yaml", Kind.SERVICE).errors())
        .containsExactly(new FieldError("[]", "unknown field \"\""));
  }

  @Test
  void nullInsideFreeFormKubernetesFieldsIsKept() throws Exception {
    Service s =
        (Service)
            Codec.decode(
                "{\"metadata\":{\"name\":\"web\",\"managedFields\":[{\"manager\":\"x\",\"subresource\":null}]}}"
                    .getBytes(UTF_8),
                null,
                Kind.SERVICE);
    assertThat(s.metadata().managedFields().get(0)).containsEntry("subresource", null);
  }

  @Test
  void parserMessagesLoseLibraryInternals() {
    assertThat(
            SyntaxErrors.sanitize(
                "Unexpected character ('}' (code 125)): was expecting double-quote to start field"
                    + " name"))
        .isEqualTo("unexpected character '}': was expecting double-quote to start field name");
    assertThat(
            SyntaxErrors.sanitize(
                "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to"
                    + " allow"))
        .isEqualTo("non-standard token 'NaN'");
    assertThat(
            SyntaxErrors.sanitize(
                "Illegal unquoted character ((CTRL-CHAR, code 1)): has to be escaped"))
        .isEqualTo("illegal unquoted character (control character 1): has to be escaped");
    assertThat(
            SyntaxErrors.sanitize(
                "Unexpected close marker ']': expected '}' (for Object starting at [Source:"
                    + " REDACTED"))
        .isEqualTo("unexpected close marker ']': expected '}'");
    assertThat(SyntaxErrors.sanitize("Cannot construct instance of com.fasterxml.Foo"))
        .isEqualTo("malformed document");
    assertThat(SyntaxErrors.sanitize("x".repeat(500))).hasSize(SyntaxErrors.MAX_MESSAGE);
  }

  @Property(tries = 400)
  void noInputEscapesAsAnythingButA400WithAShortCleanMessage(@ForAll("garbage") String body) {
    for (String contentType : new String[] {"application/json", "application/yaml"}) {
      try {
        Codec.decode(body.getBytes(UTF_8), contentType, Kind.SERVICE);
      } catch (InvalidResourceException e) {
        assertClean(e);
      }
    }
    try {
      Codec.decodeAll(body.getBytes(UTF_8));
    } catch (InvalidResourceException e) {
      assertClean(e);
    }
  }

  private static void assertClean(InvalidResourceException e) {
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.errors()).isNotEmpty();
    for (FieldError error : e.errors()) {
      assertThat(error.field()).isNotBlank();
      // The generated bodies never hold these words, so a message holding one leaked it.
      assertThat(error.message())
          .isNotBlank()
          .hasSizeLessThan(200)
          .doesNotContainIgnoringCase("jackson")
          .doesNotContain("Exception", "fasterxml", "snakeyaml", "java.");
    }
  }

  @Provide
  Arbitrary<String> garbage() {
    Arbitrary<String> jsonish =
        Arbitraries.strings().withChars("{}[]\":,0123456789.-eE tfnul\n\\ab").ofMaxLength(40);
    Arbitrary<String> yamlish =
        Arbitraries.strings().withChars("abk :-\n\t#&*!|>'\"{}[]?%@`0123456789.").ofMaxLength(40);
    Arbitrary<String> prefixed =
        Arbitraries.of(
                "{\"kind\":\"Service\",\"spec\":{\"ports\":[{\"port\":",
                    "kind: Service\nspec:\n  ports:\n  - port: ",
                "metadata:\n  labels:\n    ", "{\"metadata\":{\"labels\":{")
            .flatMap(
                p ->
                    Arbitraries.strings()
                        .withChars("{}[]\":,0123456789.-ab \n&*")
                        .ofMaxLength(15)
                        .map(s -> p + s));
    return Arbitraries.oneOf(jsonish, yamlish, prefixed, Arbitraries.strings().ofMaxLength(20));
  }
}
