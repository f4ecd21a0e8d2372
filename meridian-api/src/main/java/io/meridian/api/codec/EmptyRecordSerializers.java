package io.meridian.api.codec;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializer;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;

/**
 * Makes {@code NON_EMPTY} mean what Kubernetes' {@code omitempty} users expect for nested objects:
 * a model record whose every field would be omitted is itself omitted, so a Service without a
 * load-balancer ingress writes no {@code status: {}} and an empty {@code sessionAffinityConfig:
 * {clientIP: {}}} disappears. Jackson on its own calls any non-null bean non-empty.
 *
 * <p>Only records of the model package are affected; other types keep Jackson's behaviour.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
final class EmptyRecordSerializers extends BeanSerializerModifier {

  private static final long serialVersionUID = 1L;

  @Override
  public JsonSerializer<?> modifySerializer(
      SerializationConfig config, BeanDescription description, JsonSerializer<?> serializer) {
    Class<?> type = description.getBeanClass();
    if (type.isRecord()
        && type.getPackageName().equals("io.meridian.api")
        && serializer.getClass() == BeanSerializer.class) {
      return new OmittingWhenEmpty((BeanSerializer) serializer);
    }
    return serializer;
  }

  /** A record's serializer that reports the record empty when all its fields are. */
  static final class OmittingWhenEmpty extends BeanSerializer {

    private static final long serialVersionUID = 1L;

    OmittingWhenEmpty(BeanSerializerBase src) {
      super(src);
    }

    @Override
    public boolean isEmpty(SerializerProvider provider, Object bean) {
      for (BeanPropertyWriter property : _props) {
        Object value;
        try {
          value = property.get(bean);
        } catch (Exception e) {
          return false;
        }
        if (value == null) {
          continue;
        }
        try {
          if (!provider.findValueSerializer(value.getClass()).isEmpty(provider, value)) {
            return false;
          }
        } catch (JsonMappingException e) {
          return false;
        }
      }
      return true;
    }
  }
}
