/** Ferry: copies a Redis deployment into another, first the full data set, then every later write. */
package dev.ferry;
