package dev.ferry.server;

import dev.ferry.precheck.PrecheckReport;

/**
 * Turns definitions into runnable plans the way {@code ferry sync} turns its flags into options (the command line
 * implements it), and runs the precheck {@code ferry sync} runs. Thread-safe; both methods may block on I/O.
 */
public interface TaskPlanner {

    /**
     * The plan of {@code definition}, with its passwords read from the variables or files it names.
     *
     * @throws dev.ferry.FerryException an option that {@code ferry sync} would refuse, with why
     */
    TaskPlan plan(TaskDefinition definition);

    /** The precheck {@code ferry sync} runs before it starts; contacts both servers. */
    PrecheckReport precheck(TaskPlan plan);
}
