/** Test helpers: servers by version, a mixed write workload, and data-set equality assertions. */
package dev.ferry.testing;
