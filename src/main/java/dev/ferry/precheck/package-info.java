/** {@code ferry precheck}: checks run before a sync, each pass, warn or fail with a one-line fix. */
package dev.ferry.precheck;
