package dev.ferry.verify;

import java.util.List;

/**
 * Keys of one database for a worker to compare.
 *
 * @param db the source database, or the target database for keys seen on the target
 * @param seenOnTarget the keys come from a scan of the target: only those the source lacks need comparing
 */
record KeyBatch(int db, List<byte[]> keys, boolean seenOnTarget) {
}
