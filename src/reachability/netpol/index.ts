// The NetworkPolicy evaluator's public surface; see docs/netpol.md.

export { buildNetpolIndex, NAMESPACE_NAME_LABEL, type NetpolIndex, type NetpolInput } from './netpol-index.ts';
export { suggestFixes, workloadSelector } from './suggest-fix.ts';
export { serviceTargets, type ServiceTarget, type UnresolvedTarget } from './service-targets.ts';
export { parseIp, parseCidr, cidrContains, formatIp, type IpAddress, type Cidr } from '../../k8s/cidr.ts';
export type * from './types.ts';
