// The project's config file (meshbook.yaml): shared with the dev server's page runs, so it lives
// with what the CLI and the site share.
export * from '../site/project-config.ts';
