/** File the CLI leaves in the run folder on Ctrl-C; controls not yet started skip themselves. */
export const INTERRUPTED_MARKER = 'interrupted';
