package dev.ferry.cli;

/**
 * Turns SIGINT and SIGTERM into a clean stop: the handler asks the task to stop, the task flushes and
 * checkpoints, and the command returns normally, so the process exits 0. A JVM shutdown hook could not
 * do that: once shutdown has begun, the exit status is the signal's.
 */
final class Signals {

    private Signals() {
    }

    /** Runs {@code stop} on SIGINT or SIGTERM instead of exiting. A second signal exits at once. */
    static void stopOn(Runnable stop) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), new Handler(stop));
            } catch (IllegalArgumentException e) {
                // The signal is not available here (or reserved by the JVM): the default behaviour stays.
            }
        }
    }

    private static final class Handler implements sun.misc.SignalHandler {
        private final Runnable stop;
        private volatile boolean stopping;

        Handler(Runnable stop) {
            this.stop = stop;
        }

        @Override
        public void handle(sun.misc.Signal signal) {
            if (stopping) {
                System.err.println("ferry: second signal, exiting without waiting");
                Runtime.getRuntime().halt(130);
            }
            stopping = true;
            System.err.println("ferry: stopping (SIG" + signal.getName() + "): flushing and checkpointing...");
            stop.run();
        }
    }
}
