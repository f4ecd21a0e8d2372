package io.meridian.balancer;

/** The picker over no backends. Stateless. */
enum EmptyPicker implements Picker<Object> {
  INSTANCE;

  @Override
  public Backend<Object> pick() {
    return null;
  }

  @Override
  public Backend<Object> pick(long hash) {
    return null;
  }

  @Override
  public int size() {
    return 0;
  }
}
