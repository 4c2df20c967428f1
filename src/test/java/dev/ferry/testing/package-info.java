/** Test helpers: servers by version, a mixed write workload, stream groups, and data-set equality assertions. */
package dev.ferry.testing;
