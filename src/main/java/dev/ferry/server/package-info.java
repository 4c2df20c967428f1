/** {@code ferry server}: many sync tasks in one process, stored durably, driven through an HTTP API. */
package dev.ferry.server;
