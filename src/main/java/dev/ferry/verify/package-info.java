/** {@code ferry verify}: compares two deployments key by key, both ways, in rounds, and reports the differences. */
package dev.ferry.verify;
