package dev.ferry.sink;

/**
 * A command and the database it runs in, for a writer whose connections may be in another one (a cluster
 * target with numbered databases: Valkey 9's {@code cluster-databases}). Immutable (the arguments are not copied).
 */
public record DbCommand(int db, byte[][] argv) {

    public DbCommand {
        if (db < 0) {
            throw new IllegalArgumentException("db: " + db + " (expected: >= 0)");
        }
    }
}
