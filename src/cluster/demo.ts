// The bundled demo cluster snapshot, named once for the CLI (`--snapshot demo`) and the dev
// server's target selector, so both show and read the same thing.

/** How the demo target is named in reports and on the page. */
export const DEMO_NAME = 'demo cluster snapshot';

/** Where the demo snapshot lives, relative to the project root. */
export const DEMO_RELATIVE_DIR = 'runbooks/demo-cluster';
