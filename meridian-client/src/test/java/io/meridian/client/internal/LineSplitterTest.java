package io.meridian.client.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

  private final LineSplitter splitter = new LineSplitter(1024);

  private List<String> feed(String... chunks) throws Exception {
    List<String> lines = new ArrayList<>();
    for (String c : chunks) {
      splitter
          .feed(ByteBuffer.wrap(c.getBytes(UTF_8)))
          .forEach(b -> lines.add(new String(b, UTF_8)));
    }
    return lines;
  }

  @Test
  void aChunkMayHoldManyLines() throws Exception {
    assertThat(feed("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n"))
        .containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
  }

  @Test
  void aLineMaySpanManyChunks() throws Exception {
    assertThat(feed("{\"ty", "pe\":\"ADD", "ED\"}", "\n{\"x", "\":1}\n"))
        .containsExactly("{\"type\":\"ADDED\"}", "{\"x\":1}");
  }

  @Test
  void aCharacterCutByAChunkBoundaryIsReassembled() throws Exception {
    byte[] bytes = "{\"zone\":\"zürich\"}\n".getBytes(UTF_8);
    int cut = "{\"zone\":\"z".length() + 1; // inside the two bytes of ü
    List<String> lines = new ArrayList<>();
    for (ByteBuffer b :
        List.of(ByteBuffer.wrap(bytes, 0, cut), ByteBuffer.wrap(bytes, cut, bytes.length - cut))) {
      splitter.feed(b.slice()).forEach(l -> lines.add(new String(l, UTF_8)));
    }

    assertThat(lines).containsExactly("{\"zone\":\"zürich\"}");
  }

  @Test
  void carriageReturnsAndEmptyLinesAreDropped() throws Exception {
    assertThat(feed("a\r\n\n\r\nb\n")).containsExactly("a", "b");
  }

  @Test
  void anUnterminatedTailIsPendingNotALine() throws Exception {
    assertThat(feed("a\nhalf")).containsExactly("a");
    assertThat(splitter.pendingBytes()).isEqualTo(4);
  }

  @Test
  void aLineOverTheLimitIsAnError() {
    LineSplitter small = new LineSplitter(8);

    assertThatThrownBy(
            () -> {
              small.feed(ByteBuffer.wrap("12345".getBytes(UTF_8)));
              small.feed(ByteBuffer.wrap("6789\n".getBytes(UTF_8)));
            })
        .isInstanceOf(LineSplitter.LineTooLongException.class);
  }

  @Test
  void aLineExactlyAtTheLimitIsFine() throws Exception {
    LineSplitter small = new LineSplitter(8);

    assertThat(small.feed(ByteBuffer.wrap("12345678\n".getBytes(UTF_8)))).hasSize(1);
  }
}
