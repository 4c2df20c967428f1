/**
 * Redis Cluster: hash slots, the topology of a deployment, MOVED/ASK redirections, a client that follows them, and
 * the application of cross-slot writes; shared by sync, verify and precheck.
 */
package dev.ferry.cluster;
