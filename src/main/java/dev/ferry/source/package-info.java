/** The replication link: Ferry acting as a replica of a source server (handshake, PSYNC, RDB transfer, command stream, ACKs). */
package dev.ferry.source;
