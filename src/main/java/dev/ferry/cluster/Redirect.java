package dev.ferry.cluster;

import dev.ferry.resp.RedisEndpoint;

/**
 * A cluster node's answer that a key lives elsewhere: {@code MOVED <slot> <host:port>} (the slot moved for
 * good: refresh the slot map) or {@code ASK <slot> <host:port>} (the slot is being migrated: send this one
 * command to that node, after {@code ASKING}). Mirrors cluster.c {@code getNodeByQuery}'s replies.
 *
 * @param moved true for MOVED, false for ASK
 */
public record Redirect(boolean moved, int slot, RedisEndpoint node) {

    /**
     * The redirection an error reply carries, or null when it is not one.
     *
     * @param reply the error message without its leading '-' ("MOVED 3999 127.0.0.1:6381")
     * @param seed the endpoint whose credentials reach every node; also the host of an address given as ":port"
     */
    public static Redirect parse(String reply, RedisEndpoint seed) {
        if (reply == null || !(reply.startsWith("MOVED ") || reply.startsWith("ASK "))) {
            return null;
        }
        String[] parts = reply.split(" ");
        if (parts.length < 3) {
            return null;
        }
        int colon = parts[2].lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            String host = parts[2].substring(0, colon);
            int port = Integer.parseInt(parts[2].substring(colon + 1));
            int slot = Integer.parseInt(parts[1]);
            return new Redirect(parts[0].equals("MOVED"), slot, seed.withHostPort(host.isEmpty() ? seed.host() : host, port));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
