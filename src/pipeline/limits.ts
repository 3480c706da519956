// The run's bounds that the command line states: a leaf, so `run --help` need not load the pipeline.

/** The most repetitions a run takes: enough to expose a race, bounded so that a typo cannot run for hours. */
export const MAX_REPEAT = 100;
