import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/cli/args.ts';
import { UsageError } from '../../src/cli/errors.ts';

describe('parseCommand', () => {
  it('fills in the defaults for check', () => {
    expect(parseCommand(['check', '--snapshot', 'a.yaml'])).toEqual({
      command: 'check',
      source: { snapshots: ['a.yaml'] },
      checks: [],
      pages: [],
      format: 'text',
      failOn: 'error',
    });
  });

  it('accepts repeated and comma-separated values and the short flags', () => {
    const cmd = parseCommand([
      'check',
      '--snapshot',
      'a',
      '--snapshot=b',
      '--check',
      'x,y',
      '--check',
      'z',
      '--page',
      'p',
      '-f',
      'junit',
      '--fail-on',
      'never',
      '-n',
      'shop',
      '-o',
      'out.xml',
    ]);
    expect(cmd).toEqual({
      command: 'check',
      source: { snapshots: ['a', 'b'] },
      checks: ['x', 'y', 'z'],
      pages: ['p'],
      format: 'junit',
      failOn: 'never',
      namespace: 'shop',
      output: 'out.xml',
    });
  });

  it.each([
    [['check', '--help'], { command: 'help', topic: 'check' }],
    [['help', 'list'], { command: 'help', topic: 'list' }],
    [['--help'], { command: 'help' }],
    [['--version'], { command: 'version' }],
    [['list', '--format', 'json'], { command: 'list', format: 'json' }],
  ])('%j → %j', (argv, expected) => {
    expect(parseCommand(argv)).toEqual(expected);
  });

  it.each([
    [[], /No command given/],
    [['analyze'], /Unknown command "analyze"/],
    [['check', '--bogus'], /Unknown option '--bogus'.*meshbook check --help/],
    [['check', 'stray'], /positional/i],
    [['check', '--snapshot'], /argument missing/],
    [['check', '--format', 'yaml'], /--format must be one of text, json, junit, sarif; received "yaml"/],
    [['check', '--fail-on', 'warn'], /--fail-on must be one of error, warning, never; received "warn"/],
    [['check', '--namespace', 'Bad_NS'], /received "Bad_NS"/],
    [['check', '--snapshot', ''], /--snapshot needs a value/],
    [['check', '--check', 'a,,b'], /--check needs a value/],
    [['list', '--format', 'junit'], /received "junit"/],
    [['check', '--context', 'a', '--snapshot', 'demo'], /--context selects a live cluster and --snapshot a snapshot/],
    [['check', '--kubeconfig', ' '], /--kubeconfig needs a value/],
    [['snapshot'], /meshbook snapshot needs --output DIR/],
    [['snapshot', '-o', 'x', '--format', 'json'], /Unknown option '--format'/],
  ])('%j is a usage error matching %s', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});

describe('live and snapshot commands', () => {
  it('check without --snapshot is live; --context and --kubeconfig are kept', () => {
    expect(parseCommand(['check'])).toMatchObject({ command: 'check', source: { snapshots: [] } });
    expect(parseCommand(['check', '--context', 'prod', '--kubeconfig', 'k.yaml', '-n', 'shop'])).toMatchObject({
      command: 'check',
      source: { snapshots: [], context: 'prod', kubeconfig: 'k.yaml' },
      namespace: 'shop',
    });
  });

  it('snapshot takes the selection and source flags and a required --output', () => {
    expect(parseCommand(['snapshot', '--check', 'a,b', '--page', 'p', '-n', 'shop', '--context', 'c', '-o', 'out'])).toEqual({
      command: 'snapshot',
      source: { snapshots: [], context: 'c' },
      checks: ['a', 'b'],
      pages: ['p'],
      namespace: 'shop',
      output: 'out',
    });
    expect(parseCommand(['snapshot', '--snapshot', 'demo', '--output', 'out'])).toMatchObject({
      source: { snapshots: ['demo'] },
      output: 'out',
    });
    expect(parseCommand(['help', 'snapshot'])).toEqual({ command: 'help', topic: 'snapshot' });
  });
});
