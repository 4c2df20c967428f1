package dev.ferry;

/**
 * Turns whatever ended a thread of a task into the error that ends the task: a thread that dies
 * silently would leave a task that looks alive and copies nothing. An {@link OutOfMemoryError} says
 * how to give Ferry room; anything unexpected is not retried, since retrying would meet it again.
 */
public final class ThreadFailure {

    private ThreadFailure() {
    }

    /**
     * The error for {@code cause}, which ended the thread {@code thread}: a {@link FerryException} as it
     * is, anything else as a permanent failure naming the thread.
     */
    public static FerryException of(String thread, Throwable cause) {
        if (cause instanceof FerryException e) {
            return e;
        }
        if (cause instanceof OutOfMemoryError) {
            return new FerryException("Ferry ran out of memory (" + cause.getMessage() + ") in thread " + thread
                    + ": give it a larger heap (FERRY_JAVA_OPTS=-Xmx1g) or a smaller --memory-budget", cause);
        }
        return new FerryException("thread " + thread + " failed: " + cause, cause);
    }
}
