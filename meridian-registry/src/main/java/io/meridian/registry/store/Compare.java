package io.meridian.registry.store;

/**
 * A guard on one key in a {@link Txn}. A missing key has create revision, mod revision and version
 * 0, as in etcd.
 */
public record Compare(String key, Target target, Result result, long value) {

  public enum Target {
    VERSION,
    CREATE_REVISION,
    MOD_REVISION
  }

  public enum Result {
    EQUAL,
    NOT_EQUAL,
    LESS,
    GREATER
  }

  /** Holds when the key does not exist. */
  public static Compare absent(String key) {
    return new Compare(key, Target.VERSION, Result.EQUAL, 0);
  }

  /** Holds when the key exists. */
  public static Compare present(String key) {
    return new Compare(key, Target.VERSION, Result.GREATER, 0);
  }

  /** Holds when the key was last written at exactly {@code revision} (optimistic concurrency). */
  public static Compare modRevision(String key, long revision) {
    return new Compare(key, Target.MOD_REVISION, Result.EQUAL, revision);
  }

  /** Evaluates this comparison against a key's current state, {@code null} when absent. */
  public boolean test(KeyValue current) {
    long actual =
        current == null
            ? 0
            : switch (target) {
              case VERSION -> current.version();
              case CREATE_REVISION -> current.createRevision();
              case MOD_REVISION -> current.modRevision();
            };
    return switch (result) {
      case EQUAL -> actual == value;
      case NOT_EQUAL -> actual != value;
      case LESS -> actual < value;
      case GREATER -> actual > value;
    };
  }
}
