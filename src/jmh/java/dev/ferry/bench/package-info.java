/** JMH microbenchmarks of the parsers on the hot path of a sync: RESP commands and RDB snapshots. */
package dev.ferry.bench;
