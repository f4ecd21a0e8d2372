package io.meridian.dns;

import io.meridian.balancer.random.AliasTable;

/**
 * The records of one name and type, as wire RDATA prepared when the zone is built, so that an
 * answer is copied, not encoded. Each record also has a weight (the instance's, for headless A
 * records; 1 otherwise) for capped answers.
 *
 * <p>Thread-safety: immutable after construction (arrays are never written again).
 */
final class RecordSet {

  final int type;
  final byte[][] rdata;
  final int[] weights;

  /** Weighted sampling for capped answers; null when every weight is equal. */
  final AliasTable alias;

  RecordSet(int type, byte[][] rdata, int[] weights) {
    this.type = type;
    this.rdata = rdata;
    this.weights = weights;
    boolean uniform = true;
    for (int w : weights) {
      uniform &= w == weights[0];
    }
    this.alias = uniform || rdata.length < 2 ? null : AliasTable.of(weights);
  }

  int size() {
    return rdata.length;
  }

  /** Bytes record {@code i} takes in an answer whose owner is a 2-byte compression pointer. */
  int wireLength(int i) {
    return 2 + 10 + rdata[i].length;
  }
}
