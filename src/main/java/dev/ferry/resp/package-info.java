/** RESP2 wire format: a buffered reader and writer, reply values, and a small blocking connection. */
package dev.ferry.resp;
