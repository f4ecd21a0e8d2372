package io.meridian.api.codec;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;

/**
 * Refuses {@code null} inside typed lists and maps ({@code labels: {app: null}}, {@code ports:
 * [null]}), so the error names the entry ({@code metadata.labels[app]: must not be null}) instead
 * of the record's {@code Map.copyOf} failing without a path. Untyped content ({@code
 * managedFields}, {@code ownerReferences}: lists of free-form maps) keeps its nulls, as Kubernetes
 * writes them.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
final class NullElementsRefused extends JacksonAnnotationIntrospector {

  private static final long serialVersionUID = 1L;

  @Override
  public JsonSetter.Value findSetterInfo(Annotated member) {
    JsonSetter.Value declared = super.findSetterInfo(member);
    if (declared.getContentNulls() != Nulls.DEFAULT) {
      return declared;
    }
    JavaType type = member.getType();
    if (type != null && type.isContainerType()) {
      JavaType content = type.getContentType();
      if (content != null && !content.isContainerType() && !content.isJavaLangObject()) {
        return declared.withContentNulls(Nulls.FAIL);
      }
    }
    return declared;
  }
}
