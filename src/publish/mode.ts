// What kind of build this is, from the environment: the current book (at `/`) or a frozen
// archive of one version (at `/v<version>/`, cut by scripts/archive.ts). Read once by
// astro.config.mjs (base path, title) and by the publish integration.

import { z } from 'astro/zod';
import { parseWithFriendlyErrors } from '../site/validation.ts';

/** A version label as it appears in paths: `1.0`, `1.2.3`, `2.0-rc1`. */
export const VERSION_PATTERN = /^\d+(\.\d+){0,2}(-[0-9A-Za-z.]+)?$/;

const EnvSchema = z.object({
  /** Builds an archive of this version. @example "1.0" */
  MESHBOOK_ARCHIVE_VERSION: z.string().regex(VERSION_PATTERN).optional(),
  /** The date the archive shows as "Archived on". @example "2026-11-25" */
  MESHBOOK_ARCHIVED_ON: z.iso.date().optional(),
  /** Where versions.json, records/ and archive/ live; tests point it elsewhere. @example "publish" */
  MESHBOOK_PUBLISH_DIR: z.string().min(1).optional(),
});

export interface ArchiveMode {
  version: string;
  /** YYYY-MM-DD. */
  archivedOn: string;
}

export interface PublishMode {
  /** The site's base path: `/` for the current book, `/v1.0/` for an archive. */
  base: string;
  /** The site title Starlight shows and puts in every <title>. */
  title: string;
  archive?: ArchiveMode;
  /** MESHBOOK_PUBLISH_DIR as given (resolved against the project root by the integration). */
  publishDir?: string;
}

/** The base path of a version's copy of the site (`current` → `/`). */
export function versionBase(version: string): string {
  return version === 'current' ? '/' : `/v${version}/`;
}

/** Reads the build mode from the environment; throws a message quoting a bad value. */
export function publishMode(env: Readonly<Record<string, string | undefined>>): PublishMode {
  const parsed = parseWithFriendlyErrors(
    EnvSchema,
    {
      MESHBOOK_ARCHIVE_VERSION: env.MESHBOOK_ARCHIVE_VERSION || undefined,
      MESHBOOK_ARCHIVED_ON: env.MESHBOOK_ARCHIVED_ON || undefined,
      MESHBOOK_PUBLISH_DIR: env.MESHBOOK_PUBLISH_DIR || undefined,
    },
    'Meshbook build environment',
  );
  if (!parsed.ok) throw new Error(parsed.message);
  const { MESHBOOK_ARCHIVE_VERSION: version, MESHBOOK_ARCHIVED_ON: on, MESHBOOK_PUBLISH_DIR: publishDir } = parsed.value;
  const mode: PublishMode = { base: '/', title: 'Meshbook' };
  if (publishDir !== undefined) mode.publishDir = publishDir;
  if (version === undefined) return mode;
  return {
    ...mode,
    base: versionBase(version),
    // istio.io titles its archives "Istioldie 1.0 / <page>"; ours read "<page> | Meshbook 1.0 (archived)".
    title: `Meshbook ${version} (archived)`,
    archive: { version, archivedOn: on ?? new Date().toISOString().slice(0, 10) },
  };
}
