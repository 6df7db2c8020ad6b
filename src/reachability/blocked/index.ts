// Grouping denied connections into findings: the collector, the source-group unions it keeps,
// the merged fix of a group and its prose.

export { BlockedCollector, type BlockedGroup, type Connection, type RestTarget, type SettledTake } from './collector.ts';
export { MemberUnions, BulkSet, sourceMembers, type MemberList, type SourceMembers } from './member-unions.ts';
export { MAX_FIX_PEERS, type FixRule, type GroupFix } from './group-fix.ts';
export { companionPolicyYaml, fixSentence, patchCommand, ruleText } from './fix-text.ts';
