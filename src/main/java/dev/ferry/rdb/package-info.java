/** Streaming RDB parser (RDB 6 to 12 and Valkey), its encodings, and DUMP payloads. */
package dev.ferry.rdb;
