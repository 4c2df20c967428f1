/** Real redis-server processes started on demand, and sample data, for the demo and the integration tests. */
package dev.ferry.embedded;
