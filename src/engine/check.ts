// The check model: a check declares the kinds it reads and analyzes a snapshot of them.
// `analyze` gets a context, never a client: it can list, find and report, nothing else.

import type { KindId } from '../k8s/kinds.ts';
import type { ObjectOf } from '../k8s/objects.ts';
import type { CodeId, ParamsOf } from './codes.ts';
import type { FixChoice } from './fixes.ts';
import type { Attachment, ResourceRef, SourceLocation } from './types.ts';

/** Live-only facts a check can ask for; on a snapshot such a check is skipped. */
export type LiveNeed = 'probes';

/**
 * What a finding carries besides its params: evidence, and what to do — a named fix template
 * of its code (src/engine/fixes.ts) with that template's params; without one, the code's
 * general fix. An unknown template name, or missing params, fails to compile.
 */
export type ReportExtra<C extends CodeId = CodeId> = {
  /** Stable name (a field path or a camelCase key) → value: the few fields that prove the finding. */
  evidence?: Record<string, string | number | boolean>;
} & (FixChoice<C> | { fix?: undefined; fixParams?: undefined });

/** A question for the API server's authorizer: may this user do this? (SubjectAccessReview) */
export interface AccessReviewQuestion {
  user: string;
  groups?: readonly string[];
  verb: string;
  /** Plural resource name, e.g. `endpointslices`. */
  resource: string;
  /** API group, '' (or absent) for the core group. */
  group?: string;
  /** Absent: across the cluster. */
  namespace?: string;
  subresource?: string;
}

export interface AccessReviewAnswer {
  allowed: boolean;
  /** The authorizer's reason ('' when it gave none). */
  reason: string;
}

/** A GET through the API server's service or pod proxy (e.g. an istiod debug endpoint). */
export interface ProxyRequest {
  kind: 'service' | 'pod';
  namespace: string;
  name: string;
  /** Port number or name. */
  port?: number | string;
  /** The scheme the API server uses to reach the backend (`https:` prefix of the proxy id); absent: the API server's default, http. */
  scheme?: 'http' | 'https';
  /** Absolute path, with query. */
  path: string;
}

export interface ProxyAnswer {
  /** The HTTP status the backend answered with (through the proxy). */
  status: number;
  /** The body as text, at most PROBE_BODY_LIMIT characters. */
  body: string;
  /** The body was longer and was cut. */
  truncated: boolean;
}

/** The most text of a proxied answer a check is handed. */
export const PROBE_BODY_LIMIT = 256 * 1024;

/**
 * Live-only, read-only questions a check may ask (only when the source is live). Every call
 * is bound to the check's signal; a failure to ask (forbidden, unreachable) throws ProbeError.
 */
export interface Probes {
  accessReview(question: AccessReviewQuestion, options?: { signal?: AbortSignal }): Promise<AccessReviewAnswer>;
  proxyGet(request: ProxyRequest, options?: { signal?: AbortSignal }): Promise<ProxyAnswer>;
}

/** A probe could not be asked; the message says why and what to do. The check then errors with it. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A name for state that the checks of one run share (a network model several checks ask the same
 * questions of): `ctx.shared(key, build)` builds it once per run. The type parameter ties the key
 * to what it holds; two keys are the same state only if they are the same object.
 */
export interface SharedKey<T> {
  readonly name: string;
  /** Never set: carries T for the type checker. */
  readonly _type?: T;
}

/** A key for per-run shared state (declare it once, at module level, next to the builder). */
export function sharedKey<T>(name: string): SharedKey<T> {
  return Object.freeze({ name });
}

/** The per-run store behind `ctx.shared`: one per run, handed to every check of it. */
export type SharedState = Map<SharedKey<unknown>, unknown>;

export interface ListOptions {
  /** Only objects in this namespace. */
  namespace?: string;
}

/** One cluster's objects, as a mesh-scoped check sees each cluster of the run. */
export interface ClusterView<K extends KindId> {
  /** The cluster's name in the run (`--context east`, `--snapshot east=PATH`); '' in a one-cluster run. */
  readonly name: string;
  list<T extends K>(kind: T, options?: ListOptions): readonly ObjectOf<T>[];
  find<T extends K>(kind: T, namespace: string, name: string): ObjectOf<T> | undefined;
}

/** What `analyze` can see and do. `K` is the union of the check's declared inputs. */
export interface CheckContext<K extends KindId> {
  /** Every object of a declared kind (in one namespace, if given). */
  list<T extends K>(kind: T, options?: ListOptions): readonly ObjectOf<T>[];
  /** One object by namespace and name ('' namespace for cluster-scoped kinds). */
  find<T extends K>(kind: T, namespace: string, name: string): ObjectOf<T> | undefined;
  /** Where an object was loaded from, when it came from a file. */
  locate(object: object): SourceLocation | undefined;
  /** Records a finding against a resource. */
  report<C extends CodeId>(code: C, resource: ResourceRef, params: ParamsOf<C>, extra?: ReportExtra<C>): void;
  /** Attaches structured data (a reachability matrix) to the result, for renderers to draw. */
  attach(attachment: Attachment): void;
  /**
   * Ends the check as skipped, saying why (`Nothing to check: …`, `Does not apply: …`): for a
   * cluster where the check's requirement does not arise, which is neither a pass nor a finding.
   * Call it before reporting anything and return; a check that already reported cannot skip.
   */
  skip(reason: string): void;
  /**
   * State shared by the checks of this run: the value `build` made for `key` the first time any
   * check asked, else `build()`'s now. `build` must derive it from the snapshot only (every check
   * of a run sees the same one), and callers must not mutate what they get.
   */
  shared<T>(key: SharedKey<T>, build: () => T): T;
  /** Aborted when the check times out or the run is cancelled. */
  readonly signal: AbortSignal;
  /** The namespace the run is limited to, if any (like `kubectl -n`). */
  readonly namespace?: string;
  /** Live-only probes: present only when the source is a live cluster (checks that need them declare `needs: ['probes']`). */
  readonly probes?: Probes;
  /**
   * Every cluster of the run, in the order given: one entry (this cluster, name '') in a
   * one-cluster run. Only a `scope: 'mesh'` check is run once over all of them; a cluster-scoped
   * check is run once per cluster and sees only its own here. Findings on another cluster's
   * objects name it in `resource.cluster`.
   */
  readonly clusters: readonly ClusterView<K>[];
}

/** The context of a check that declares `needs: ['probes']`: the runner always hands it the probes. */
export type ProbeContext<K extends KindId = KindId> = CheckContext<K> & { readonly probes: Probes };

/** What `analyze` receives: with live needs declared, the probes are there (the runner skips such checks otherwise). */
export type ContextFor<K extends KindId, N extends readonly LiveNeed[]> = N extends readonly [] ? CheckContext<K> : ProbeContext<K>;

export interface CheckDefinition<K extends KindId = KindId, N extends readonly LiveNeed[] = readonly LiveNeed[]> {
  /** Also the file name, the docs anchor and the test name. kebab-case. */
  id: string;
  title: string;
  /** What it verifies, one or two sentences. */
  description: string;
  /** Why it matters to the mesh, one or two sentences. */
  why: string;
  /** The resource kinds it reads; the runner gathers exactly these. */
  inputs: readonly K[];
  /** The `istioctl analyze` analyzer it mirrors (its Metadata name). */
  analyzer?: string;
  /** The Kiali validation codes it covers (`KIA0109`), as named in kiali/kiali `models/istio_validation.go`. */
  kiali?: readonly string[];
  /** The guide section that explains this check (site-relative URL with anchor). */
  docs: string;
  /**
   * `cluster` (the default): run once per cluster, seeing that cluster. `mesh`: run once per run,
   * over every cluster (`ctx.clusters`): the requirements between clusters of one mesh.
   */
  scope?: 'cluster' | 'mesh';
  /**
   * A mesh-scoped check is skipped in a one-cluster run (there is nothing to compare), unless it
   * also judges a cluster alone (an east-west gateway's ports and policies): then it runs there too.
   */
  runsOnOneCluster?: boolean;
  /** Live-only needs; checks with needs are skipped on snapshots. */
  needs?: N;
  analyze(ctx: ContextFor<K, N>): void | Promise<void>;
}

/** A registered check, with its kinds erased so checks of any inputs fit one list. */
export type Check = CheckDefinition<KindId>;

const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Declares a check; validates its metadata when the module loads. */
export function defineCheck<const K extends KindId, const N extends readonly LiveNeed[] = readonly []>(def: CheckDefinition<K, N>): Check {
  if (!ID_PATTERN.test(def.id)) throw new Error(`Check id must be kebab-case, received ${JSON.stringify(def.id)}`);
  if (def.title.trim() === '' || def.description.trim() === '' || def.why.trim() === '') {
    throw new Error(`Check ${def.id} needs a title, a description and a why`);
  }
  if (def.inputs.length === 0) throw new Error(`Check ${def.id} declares no inputs`);
  // The context a check receives only ever lists its own inputs, so widening is safe.
  return def as unknown as Check;
}
