package io.meridian.balancer.testing;

import io.meridian.balancer.RandomSource;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link RandomSource} that answers the given draws in order, repeating the last one, and records
 * the bounds it was asked for. Single-threaded.
 */
public final class ScriptedRandom implements RandomSource {

  private final int[] draws;
  private final List<Integer> bounds = new ArrayList<>();
  private int next;

  private ScriptedRandom(int[] draws) {
    this.draws = draws;
  }

  /** Answers {@code draws} in order, then the last one forever. */
  public static ScriptedRandom of(int... draws) {
    return new ScriptedRandom(draws);
  }

  @Override
  public int nextInt(int bound) {
    int d = draws[Math.min(next++, draws.length - 1)];
    if (d < 0 || d >= bound) {
      throw new AssertionError("scripted draw " + d + " is outside [0, " + bound + ")");
    }
    bounds.add(bound);
    return d;
  }

  /** The bounds of the draws so far, in order. */
  public List<Integer> bounds() {
    return bounds;
  }
}
