package dev.ferry;

/**
 * The root of every error Ferry raises on purpose. Its message is a complete,
 * one-line sentence meant for the user: the CLI prints it without a stack trace.
 */
public class FerryException extends RuntimeException {

    private final boolean retriable;

    public FerryException(String message) {
        this(message, null, false);
    }

    public FerryException(String message, Throwable cause) {
        this(message, cause, false);
    }

    protected FerryException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    /** Whether retrying the same operation later may succeed (network trouble), as opposed to bad input or configuration. */
    public boolean isRetriable() {
        return retriable;
    }
}
