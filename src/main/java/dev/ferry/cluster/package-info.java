/** Redis Cluster: hash slots, the topology of a deployment, and MOVED/ASK redirections; shared by sync, verify and precheck. */
package dev.ferry.cluster;
