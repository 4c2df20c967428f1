/** Streaming RDB parser (RDB 1 to 12 and Valkey 9's 80/81), its encodings, and DUMP payloads. */
package dev.ferry.rdb;
