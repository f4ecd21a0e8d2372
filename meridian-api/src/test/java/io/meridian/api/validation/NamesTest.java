package io.meridian.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "web", "web-1", "w3b", "a-b-c"})
  void dns1035LabelsStartWithALetter(String name) {
    assertThat(Names.dns1035Label(name)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1web", "Web", "-web", "web-", "a_b", "a.b", "wéb", ""})
  void dns1035LabelsRefuseEverythingElse(String name) {
    assertThat(Names.dns1035Label(name))
        .startsWith("must be a DNS-1035 label")
        .endsWith("got \"" + name + "\"");
  }

  @Test
  void labelsHoldAtMostSixtyThreeCharacters() {
    assertThat(Names.dns1123Label("a".repeat(63))).isNull();
    assertThat(Names.dns1123Label("a".repeat(64)))
        .isEqualTo("must be at most 63 characters, got 64");
    assertThat(Names.dns1035Label("a".repeat(64)))
        .isEqualTo("must be at most 63 characters, got 64");
  }

  @Test
  void dns1123LabelsMayStartWithADigit() {
    assertThat(Names.dns1123Label("1web")).isNull();
    assertThat(Names.dns1123Label("web.1")).startsWith("must be a DNS-1123 label");
  }

  @Test
  void subdomainsAreDottedLabelsOfAtMost253Characters() {
    assertThat(Names.dns1123Subdomain("web-1.shop.example.com")).isNull();
    String long253 = ("a".repeat(63) + ".").repeat(3) + "a".repeat(61);
    assertThat(long253).hasSize(253);
    assertThat(Names.dns1123Subdomain(long253)).isNull();
    assertThat(Names.dns1123Subdomain(long253 + "a"))
        .isEqualTo("must be at most 253 characters, got 254");
    assertThat(Names.dns1123Subdomain("a..b")).startsWith("must be a DNS-1123 subdomain");
    assertThat(Names.dns1123Subdomain("a.-b")).startsWith("must be a DNS-1123 subdomain");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "h2c", "grpc-web", "a1", "x", "metrics-port-15"})
  void ianaServiceNamesAreShortLowerCaseWithALetter(String name) {
    assertThat(Names.ianaServiceName(name)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"8080", "my--port", "-http", "http-", "HTTP", "http_alt", ""})
  void ianaServiceNamesRefuseEverythingElse(String name) {
    assertThat(Names.ianaServiceName(name)).startsWith("must be an IANA service name");
  }

  @Test
  void ianaServiceNamesHoldAtMostFifteenCharacters() {
    assertThat(Names.ianaServiceName("a".repeat(15))).isNull();
    assertThat(Names.ianaServiceName("a".repeat(16)))
        .isEqualTo("must be at most 15 characters, got 16");
  }

  @ParameterizedTest
  @ValueSource(strings = {"app", "App_1.x", "app.kubernetes.io/name", "example.com/a-b", "a"})
  void labelKeysAreNamesWithAnOptionalSubdomainPrefix(String key) {
    assertThat(Names.qualifiedKey(key)).isNull();
  }

  @Test
  void labelKeysSayWhichPartIsWrong() {
    assertThat(Names.qualifiedKey("")).isEqualTo("key must not be empty");
    assertThat(Names.qualifiedKey("/app")).startsWith("key prefix before '/' must not be empty");
    assertThat(Names.qualifiedKey("example.com/"))
        .startsWith("key name after the prefix must not be empty");
    assertThat(Names.qualifiedKey("a/b/c")).startsWith("key must hold at most one '/'");
    assertThat(Names.qualifiedKey("Example.com/app"))
        .startsWith("key prefix must be a DNS-1123 subdomain");
    assertThat(Names.qualifiedKey("a".repeat(64)))
        .isEqualTo("key name must be at most 63 characters, got 64");
    assertThat(Names.qualifiedKey("app!")).startsWith("key must be letters, digits");
    assertThat(Names.qualifiedKey("_app")).startsWith("key must be letters, digits");
  }

  @Test
  void labelValuesMayBeEmptyOrNamesOfAtMostSixtyThreeCharacters() {
    assertThat(Names.labelValue("")).isNull();
    assertThat(Names.labelValue("v1.2_3-rc")).isNull();
    assertThat(Names.labelValue("a".repeat(63))).isNull();
    assertThat(Names.labelValue("a".repeat(64)))
        .isEqualTo("value must be at most 63 characters, got 64");
    assertThat(Names.labelValue("a b")).startsWith("value must be empty or letters");
    assertThat(Names.labelValue("-a")).startsWith("value must be empty or letters");
  }

  @Test
  void quotedValuesAreEscapedAndClipped() {
    assertThat(Names.quote("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\u000a\"");
    assertThat(Names.quote("x".repeat(100))).hasSize(48 + 3).endsWith("…\"");
  }
}
