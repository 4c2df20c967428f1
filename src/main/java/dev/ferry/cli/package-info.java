/** The {@code ferry} command line: sync, demo. Only this package knows picocli. */
package dev.ferry.cli;
