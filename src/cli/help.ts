// The help screens. Kept next to the flags they describe (args.ts) and docs/cli.md.

const MAIN = `meshbook — run the guide's runbook checks from a terminal or CI

Usage:
  meshbook check [options]             run checks and report what they find
  meshbook snapshot --output DIR       write what the checks read to YAML files
  meshbook explain --from NS/POD --to NS/SERVICE:PORT
                                       why a pod can or cannot reach a Service port
  meshbook list [--format text|json]   list the registered checks
  meshbook help [check|snapshot|explain|list]  show help
  meshbook --version                   print the version

Run "meshbook check --help" for the check options.
`;

const CHECK = `Usage: meshbook check [options]

Source (default: the live cluster of the kubeconfig's current context):
  --snapshot PATH       a YAML or JSON file, or a directory of them (read recursively);
                        repeatable. "demo" is the bundled demo cluster snapshot
                        (write ./demo for a local path of that name). A path that
                        holds no objects is an input error unless --allow-empty
  --allow-empty         accept a snapshot path with no objects as an empty cluster
  --context NAME        use this kubeconfig context instead of current-context;
                        repeat it to check several clusters of one mesh in one run
                        (--snapshot east=PATH --snapshot west=PATH for snapshots)
  --kubeconfig PATH     read only this kubeconfig file (default: $KUBECONFIG, merged
                        as kubectl merges it, else ~/.kube/config)

Selection (a union; with neither flag every check runs):
  --check ID            run this check; repeatable, or comma-separated
  --page SLUG           run the runbooks the page content/SLUG.mdx embeds; repeatable
  -n, --namespace NS    look only at namespaced objects in NS

Secrets (off by default: Secrets are read as metadata only):
  --read-secrets        read Secret contents, so gateway-secrets validates the TLS
                        certificates Gateways reference (IST0161: missing keys, an
                        unparsable, expired or not-yet-valid certificate). Live: a plain
                        LIST of secrets, which needs the meshbook-viewer-secrets role
                        (docs/rbac/meshbook-viewer.yaml); --snapshot: keeps the files'
                        Secret data/stringData, which is dropped otherwise. Findings show
                        key names, subject, issuer and validity dates, never key material

Suppressions (like istioctl analyze; suppressed findings are listed, not counted):
  -S, --suppress CODE=RESOURCE
                        e.g. "IST0102=Namespace frod", "IST0107=Pod *.baz" (*
                        matches any run of characters). Repeatable
  --config FILE         suppressions with a reason and an optional last day, and
                        severity overrides (default: ./meshbook.yaml if present)
                        The galley.istio.io/analyze-suppress annotation on a
                        resource (codes, comma-separated, or *) is always honoured

What-if (check a proposed change before it is applied):
  --with PATH           YAML or JSON objects (a file or a directory; multi-document
                        and kind: List) applied over the source as kubectl apply
                        would: added, or replacing the object of the same kind,
                        namespace and name. Repeatable; later files win. Reports the
                        findings the change adds and fixes; --fail-on then looks
                        only at the added ones

Mesh configuration (like istioctl analyze --meshConfigFile / --meshNetworksFile):
  --mesh-config FILE    a MeshConfig YAML read instead of the mesh key of ConfigMap
                        istio-system/istio (its other keys are kept). An empty file
                        is Istio's defaults
  --mesh-networks FILE  a MeshNetworks YAML read instead of that ConfigMap's
                        meshNetworks key

Output:
  -f, --format FORMAT   text (default), json, junit or sarif (SARIF 2.1.0, for
                        code-scanning tools)
  --verbose             text: each finding's file and line, evidence, what to do and
                        links (default: one line per finding)
  -o, --output FILE     write the report to FILE instead of stdout
  --record FILE         also save the results for the published site (JSON, secrets
                        masked; put it in publish/records/, docs/publishing.md)
  --fail-on LEVEL       error (default), warning or never
  -h, --help            show this help

Exit codes:
  0    nothing reached the --fail-on threshold (with --with: nothing the change adds)
  1    something did: an error finding or a check that could not run
       (with --fail-on warning, also a warning finding)
       — including a live run whose API server is unreachable: every check then
       says error with the reason
  2    usage or input error: unknown flag, check or page, missing file, invalid YAML,
       a field of the wrong type, a snapshot with no objects, a kubeconfig that is
       missing or broken, an unknown context
  130  interrupted (Ctrl-C; in-flight API requests are aborted)

Environment:
  NO_COLOR, FORCE_COLOR   colour of text output (default: colour when stdout is a terminal)
  MESHBOOK_CONTENT_DIR    where --page looks for pages (default: the repository's content/)
  MESHBOOK_SITE_URL       the published guide (https://…): links in text and SARIF become
                          full URLs under it (default: site-relative paths)
`;

const SNAPSHOT = `Usage: meshbook snapshot --output DIR [options]

Reads what the selected checks would read — from the live cluster, or from --snapshot
inputs — and writes it to DIR as YAML: one file per kind (e.g. core-pod.yaml, a
"kind: List"), plus meshbook-snapshot.json (target, time, kinds, what could not be read).
Secrets are written as metadata only, always (there is no --read-secrets here: a
snapshot never contains Secret data); managedFields are left out. Load it again with
"meshbook check --snapshot DIR": the checks give the same findings.

  -o, --output DIR      a new or empty directory (required)
  --snapshot PATH       read snapshots instead of a live cluster (as in check)
  --allow-empty         accept a snapshot path with no objects (as in check)
  --context NAME        kubeconfig context (default: current-context); repeated: one
                        snapshot per cluster, in DIR/<context>/
  --kubeconfig PATH     kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)
  --check ID            only the inputs of these checks; repeatable, or comma-separated
  --page SLUG           only the inputs of the runbooks this page embeds; repeatable
  -n, --namespace NS    namespaced kinds from NS only
  -h, --help            show this help

Exit codes: 0 written; 1 written, but some kinds could not be read (listed, and recorded
in the manifest); 2 usage or input error (or DIR is not empty); 130 interrupted.
`;

const LIST = `Usage: meshbook list [options]

Lists every registered check: id, title, the istioctl analyzer it mirrors, and the
guide section that explains it.

  -f, --format FORMAT   text (default) or json (adds description, inputs, and the pages
                        that embed each check)
  -h, --help            show this help
`;

const EXPLAIN = `Usage: meshbook explain --from NS/POD --to NS/SERVICE:PORT [options]

Why a pod can or cannot open a connection to a Service port, as the NetworkPolicies decide:
for each pod behind the Service port (on its target port), the policies that select the
source for egress and the destination for ingress, the rule that allows the connection or
what each rule misses, and the smallest change that would allow it (a rule as YAML, and
the same as a kubectl patch).

  --from NS/POD         the source: a pod, or a workload (Deployment, StatefulSet, …) as
                        the reachability matrix names its rows, e.g. bookinfo/productpage-v1
  --to NS/SERVICE:PORT  the destination Service and its port (number or name),
                        e.g. bookinfo/ratings:9080
  --snapshot PATH       read snapshots instead of a live cluster (as in check; "demo")
  --allow-empty         accept a snapshot path with no objects (as in check)
  --context NAME        kubeconfig context (default: current-context)
  --kubeconfig PATH     kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)
  -f, --format FORMAT   text (default) or json (the shape is in docs/cli.md)
  -h, --help            show this help

Exit codes: 0 allowed; 1 blocked or partly blocked (or the cluster could not be read);
2 usage or input error — an unknown namespace, pod, Service or port (the message lists
the names that exist nearby); 130 interrupted.
`;

/** The help screen for a topic (or the overview). */
export function helpText(topic?: 'check' | 'snapshot' | 'list' | 'explain'): string {
  return topic === 'check' ? CHECK : topic === 'snapshot' ? SNAPSHOT : topic === 'list' ? LIST : topic === 'explain' ? EXPLAIN : MAIN;
}
