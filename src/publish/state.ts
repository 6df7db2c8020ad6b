// The bridge between the publish integration and the components it serves, as in
// src/server/dev-state.ts: Astro loads the config and the page components as separate
// module instances, so where the records and versions live travels through a global symbol.
// Components fall back to the environment when the integration did not run (unit renders).

import { join, resolve } from 'node:path';
import { publishMode, type ArchiveMode } from './mode.ts';
import { latestByCheck, loadRecords, type RecordedResult } from './records.ts';
import { readVersions, withVersion, type VersionsFile } from './versions.ts';

/** Where the publishing inputs are, and what kind of build this is. */
export interface PublishState {
  /** publish/: versions.json, records/, archive/. */
  publishDir: string;
  archive?: ArchiveMode;
  /** Reread inputs on every render (dev) or read them once (build). */
  cache: boolean;
}

const KEY = Symbol.for('meshbook.publish');

type WithState = typeof globalThis & { [KEY]?: PublishState };

/** Publishes the publish state for pages rendered by this process. */
export function setPublishState(state: PublishState): void {
  (globalThis as WithState)[KEY] = state;
}

/** The publish state: what the integration set, else read from the environment and cwd. */
export function getPublishState(): PublishState {
  const set = (globalThis as WithState)[KEY];
  if (set !== undefined) return set;
  const mode = publishMode(process.env);
  return { publishDir: resolve(mode.publishDir ?? 'publish'), ...(mode.archive === undefined ? {} : { archive: mode.archive }), cache: false };
}

/** The records directory and versions file of a publish directory. */
export function publishPaths(publishDir: string): { records: string; versions: string; archive: string } {
  return { records: join(publishDir, 'records'), versions: join(publishDir, 'versions.json'), archive: join(publishDir, 'archive') };
}

let cachedRecords: { dir: string; byCheck: Promise<Map<string, RecordedResult>> } | undefined;

/** The newest recorded result of a check, if any record ran it. */
export async function recordedResultFor(id: string): Promise<RecordedResult | undefined> {
  const state = getPublishState();
  const dir = publishPaths(state.publishDir).records;
  if (!state.cache || cachedRecords?.dir !== dir) cachedRecords = { dir, byCheck: loadRecords(dir).then(latestByCheck) };
  return (await cachedRecords.byCheck).get(id);
}

/** The versions the menu lists; an archive build lists itself even before versions.json has it. */
export async function menuVersions(): Promise<VersionsFile> {
  const state = getPublishState();
  const file = await readVersions(publishPaths(state.publishDir).versions);
  return state.archive === undefined ? file : withVersion(file, { version: state.archive.version, archivedOn: state.archive.archivedOn });
}
