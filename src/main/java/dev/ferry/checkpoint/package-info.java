/** Checkpoints: the source position the target has applied, stored in the target with the data it covers. */
package dev.ferry.checkpoint;
