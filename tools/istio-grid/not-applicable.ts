// The `istioctl analyze` analyzers (their Metadata names) that no Meshbook check mirrors, each with
// why. test/istio/upstream-grid.test.ts fails when an analyzer istioctl runs is neither mirrored
// by a check (its `analyzer` field) nor listed here, and when an entry here is mirrored after all
// or names no analyzer: whoever lands a check for one removes its entry.

export const NOT_YET_MIRRORED = 'not yet mirrored';

export const NOT_APPLICABLE: Readonly<Record<string, string>> = {
  'schema.ValidationAnalyzer.EnvoyFilter': NOT_YET_MIRRORED,
  'schema.ValidationAnalyzer.MeshConfig': NOT_YET_MIRRORED,
  'schema.ValidationAnalyzer.MeshNetworks': NOT_YET_MIRRORED,
  'schema.ValidationAnalyzer.TrafficExtension': NOT_YET_MIRRORED,
  'schema.ValidationAnalyzer.WorkloadEntry': NOT_YET_MIRRORED,
  'schema.ValidationAnalyzer.WorkloadGroup': NOT_YET_MIRRORED,
};
