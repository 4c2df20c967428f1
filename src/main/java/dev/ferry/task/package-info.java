/** A sync task from start to stop: checks, snapshot, streaming, heartbeat, progress, shutdown. */
package dev.ferry.task;
