package io.meridian.proxy;

/**
 * Makes service addresses (ClusterIPs on an agent, ingress IPs on an edge) local to the host so
 * that a listener can bind them: {@link #NONE} where they already are (loopback ranges in {@code
 * meridian dev}) or cannot be (no root), {@link DummyInterface} when root.
 *
 * <p>Thread-safety: called by {@link DataPlane} under its lock; implementations need not be
 * thread-safe beyond that.
 */
public interface AddressProvisioner extends AutoCloseable {

  /** Adds nothing: addresses must already be local. */
  AddressProvisioner NONE =
      new AddressProvisioner() {
        @Override
        public void ensure(String address) {}

        @Override
        public void release(String address) {}

        @Override
        public void close() {}
      };

  /**
   * Makes {@code address} local, if it is not yet.
   *
   * @throws IllegalStateException saying why it could not
   */
  void ensure(String address);

  /** Stops making {@code address} local (no listener uses it any more). */
  void release(String address);

  /** Removes every address it added (and whatever it created for them). Never throws. */
  @Override
  void close();
}
