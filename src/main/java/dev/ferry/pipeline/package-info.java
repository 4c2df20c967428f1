/** Turns what the source sends into writes for the target: snapshot entries, stream commands, filters, heartbeat. */
package dev.ferry.pipeline;
