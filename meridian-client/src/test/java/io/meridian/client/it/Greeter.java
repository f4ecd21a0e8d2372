package io.meridian.client.it;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A one-method gRPC service for the integration tests, {@code meridian.test.Greeter/SayHello}:
 * UTF-8 text in, the answering instance's name out. Its descriptor is written by hand (a string
 * marshaller) so that the tests need no protoc; on the wire it is ordinary gRPC.
 */
public final class Greeter {

  /** Strings as UTF-8 bytes, for hand-written method descriptors. */
  public static final MethodDescriptor.Marshaller<String> UTF8 = new Utf8();

  public static final MethodDescriptor<String, String> SAY_HELLO =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(
              MethodDescriptor.generateFullMethodName("meridian.test.Greeter", "SayHello"))
          .setRequestMarshaller(UTF8)
          .setResponseMarshaller(UTF8)
          .build();

  private Greeter() {}

  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
