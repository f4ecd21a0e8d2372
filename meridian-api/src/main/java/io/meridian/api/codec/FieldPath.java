package io.meridian.api.codec;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A path into a document, as a list of steps (a field name or a list index), rendered Kubernetes
 * style against the declared model type: record fields as {@code .name}, list elements as {@code
 * [0]}, map entries as {@code [key]} ({@code spec.ports[0].port}, {@code metadata.labels[app]},
 * {@code spec.ports[http]} for an instance's port map). The validator renders paths the same way.
 *
 * <p>Knowing the declared type also tells what was expected at the end of the path (an integer, a
 * duration, one of an enum's values), and the document tree tells what was found there.
 *
 * <p>Thread-safety: immutable.
 */
record FieldPath(List<Object> steps) {

  FieldPath {
    steps = List.copyOf(steps);
  }

  static final FieldPath ROOT = new FieldPath(List.of());

  /** The steps of a Jackson exception's reference chain. */
  static FieldPath of(JsonMappingException e) {
    List<Object> steps = new ArrayList<>();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        steps.add(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        steps.add(ref.getIndex());
      }
    }
    return new FieldPath(steps);
  }

  FieldPath child(String name) {
    List<Object> s = new ArrayList<>(steps);
    s.add(name);
    return new FieldPath(s);
  }

  FieldPath child(int index) {
    List<Object> s = new ArrayList<>(steps);
    s.add(index);
    return new FieldPath(s);
  }

  boolean isRoot() {
    return steps.isEmpty();
  }

  /**
   * The path as the API shows it, fields of {@code root} as {@code .name}, map keys as {@code [k]}.
   */
  String render(Type root) {
    StringBuilder sb = new StringBuilder();
    Type type = root;
    for (Object step : steps) {
      if (step instanceof Integer i) {
        sb.append('[').append(i).append(']');
      } else if (isMap(type) || step.toString().isEmpty()) {
        // Map keys in brackets, as Kubernetes writes them; so is an (unknown) empty field name.
        sb.append('[').append(step).append(']');
      } else {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(step);
      }
      type = typeOf(type, step);
    }
    return sb.toString();
  }

  /** The declared type at the end of the path, or null when the path leaves the model. */
  Type declaredType(Type root) {
    Type type = root;
    for (Object step : steps) {
      type = typeOf(type, step);
      if (type == null) {
        return null;
      }
    }
    return type;
  }

  /** The node at the end of the path in {@code tree}, or null when absent. */
  JsonNode find(JsonNode tree) {
    JsonNode node = tree;
    for (Object step : steps) {
      if (node == null) {
        return null;
      }
      node = step instanceof Integer i ? node.get(i) : node.get((String) step);
    }
    return node;
  }

  static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return null;
  }

  private static boolean isMap(Type type) {
    Class<?> c = raw(type);
    return c != null && Map.class.isAssignableFrom(c);
  }

  private static Type typeOf(Type type, Object step) {
    Class<?> c = raw(type);
    if (c == null) {
      return null;
    }
    if (step instanceof Integer) {
      return Collection.class.isAssignableFrom(c) ? typeArgument(type, 0) : null;
    }
    if (Map.class.isAssignableFrom(c)) {
      return typeArgument(type, 1);
    }
    if (c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) {
        if (rc.getName().equals(step)) {
          return rc.getGenericType();
        }
      }
    }
    return null;
  }

  private static Type typeArgument(Type type, int i) {
    return type instanceof ParameterizedType p ? p.getActualTypeArguments()[i] : null;
  }
}
