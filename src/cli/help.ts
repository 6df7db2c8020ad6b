// The help screens. Kept next to the flags they describe (args.ts) and docs/cli.md.

const MAIN = `meshbook — run the guide's runbook checks from a terminal or CI

Usage:
  meshbook check [options]             run checks and report what they find
  meshbook list [--format text|json]   list the registered checks
  meshbook help [check|list]           show help
  meshbook --version                   print the version

Run "meshbook check --help" for the check options.
`;

const CHECK = `Usage: meshbook check [options]

Source (required for now; live clusters are coming):
  --snapshot PATH       a YAML or JSON file, or a directory of them (read recursively);
                        repeatable. "demo" is the bundled demo cluster snapshot
                        (write ./demo for a local path of that name)

Selection (a union; with neither flag every check runs):
  --check ID            run this check; repeatable, or comma-separated
  --page SLUG           run the runbooks the page content/SLUG.mdx embeds; repeatable
  -n, --namespace NS    look only at namespaced objects in NS

Output:
  -f, --format FORMAT   text (default), json or junit
  -o, --output FILE     write the report to FILE instead of stdout
  --fail-on LEVEL       error (default), warning or never
  -h, --help            show this help

Exit codes:
  0    nothing reached the --fail-on threshold
  1    something did: an error finding or a check that could not run
       (with --fail-on warning, also a warning finding)
  2    usage or input error: unknown flag, check or page, missing file, invalid YAML
  130  interrupted (Ctrl-C)

Environment:
  NO_COLOR, FORCE_COLOR   colour of text output (default: colour when stdout is a terminal)
  MESHBOOK_CONTENT_DIR    where --page looks for pages (default: the repository's content/)
`;

const LIST = `Usage: meshbook list [options]

Lists every registered check: id, title, the istioctl analyzer it mirrors, and the
guide section that explains it.

  -f, --format FORMAT   text (default) or json (adds description, inputs, and the pages
                        that embed each check)
  -h, --help            show this help
`;

/** The help screen for a topic (or the overview). */
export function helpText(topic?: 'check' | 'list'): string {
  return topic === 'check' ? CHECK : topic === 'list' ? LIST : MAIN;
}
