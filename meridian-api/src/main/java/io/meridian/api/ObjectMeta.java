package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes {@code metadata}. Fields the registry sets ({@code resourceVersion}, {@code uid},
 * {@code creationTimestamp}, {@code deletionTimestamp}) are ignored on create, and {@code
 * resourceVersion} is checked on update when given (optimistic concurrency).
 *
 * <p>{@code generateName}, {@code generation}, {@code finalizers}, {@code ownerReferences}, {@code
 * managedFields} and {@code selfLink} are accepted so that manifests exported from Kubernetes apply
 * unchanged; Meridian keeps but does not act on them.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ObjectMeta(
    String name,
    String generateName,
    String namespace,
    Map<String, String> labels,
    Map<String, String> annotations,
    String resourceVersion,
    String uid,
    Long generation,
    String creationTimestamp,
    String deletionTimestamp,
    Long deletionGracePeriodSeconds,
    List<String> finalizers,
    List<Map<String, Object>> ownerReferences,
    List<Map<String, Object>> managedFields,
    String selfLink) {

  public ObjectMeta {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    finalizers = finalizers == null ? List.of() : List.copyOf(finalizers);
    ownerReferences = ownerReferences == null ? List.of() : List.copyOf(ownerReferences);
    managedFields = managedFields == null ? List.of() : List.copyOf(managedFields);
  }

  public static ObjectMeta of(String namespace, String name) {
    return new ObjectMeta(
        name, null, namespace, null, null, null, null, null, null, null, null, null, null, null,
        null);
  }

  public static ObjectMeta of(String namespace, String name, Map<String, String> labels) {
    return of(namespace, name).withLabels(labels);
  }

  public ObjectMeta withName(String v) {
    return new ObjectMeta(
        v,
        generateName,
        namespace,
        labels,
        annotations,
        resourceVersion,
        uid,
        generation,
        creationTimestamp,
        deletionTimestamp,
        deletionGracePeriodSeconds,
        finalizers,
        ownerReferences,
        managedFields,
        selfLink);
  }

  public ObjectMeta withNamespace(String v) {
    return new ObjectMeta(
        name,
        generateName,
        v,
        labels,
        annotations,
        resourceVersion,
        uid,
        generation,
        creationTimestamp,
        deletionTimestamp,
        deletionGracePeriodSeconds,
        finalizers,
        ownerReferences,
        managedFields,
        selfLink);
  }

  public ObjectMeta withLabels(Map<String, String> v) {
    return new ObjectMeta(
        name,
        generateName,
        namespace,
        v,
        annotations,
        resourceVersion,
        uid,
        generation,
        creationTimestamp,
        deletionTimestamp,
        deletionGracePeriodSeconds,
        finalizers,
        ownerReferences,
        managedFields,
        selfLink);
  }

  public ObjectMeta withResourceVersion(String v) {
    return new ObjectMeta(
        name,
        generateName,
        namespace,
        labels,
        annotations,
        v,
        uid,
        generation,
        creationTimestamp,
        deletionTimestamp,
        deletionGracePeriodSeconds,
        finalizers,
        ownerReferences,
        managedFields,
        selfLink);
  }

  /** The fields the registry owns, set at once on create. */
  public ObjectMeta withSystemFields(String uid, String creationTimestamp, Long generation) {
    return new ObjectMeta(
        name,
        generateName,
        namespace,
        labels,
        annotations,
        resourceVersion,
        uid,
        generation,
        creationTimestamp,
        deletionTimestamp,
        deletionGracePeriodSeconds,
        finalizers,
        ownerReferences,
        managedFields,
        selfLink);
  }

  public ObjectMeta withDeletion(String deletionTimestamp, Long gracePeriodSeconds) {
    return new ObjectMeta(
        name,
        generateName,
        namespace,
        labels,
        annotations,
        resourceVersion,
        uid,
        generation,
        creationTimestamp,
        deletionTimestamp,
        gracePeriodSeconds,
        finalizers,
        ownerReferences,
        managedFields,
        selfLink);
  }

  /** The resourceVersion as a store revision; 0 when absent or not a number. */
  public long revision() {
    if (resourceVersion == null || resourceVersion.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
