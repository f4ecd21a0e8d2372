package io.meridian.registry.store;

import java.util.Optional;

/**
 * What recovery found in the data dir.
 *
 * @param snapshotRevision the revision of the snapshot it started from, 0 for none
 * @param recordsReplayed log records applied after the snapshot
 * @param recoveredRevision the store's revision once recovery finished
 * @param damage where and why replay stopped early, if it did; every intact record before that
 *     point was kept and the damaged tail was cut off
 */
public record RecoveryReport(
    long snapshotRevision, long recordsReplayed, long recoveredRevision, Optional<String> damage) {}
