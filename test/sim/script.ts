// Readable core scenarios (test/scenarios/*.txt): events in, effects out.
//
//   config local=node1 device=yes failback=on groups=192.0.2.50@node1
//   0 start 1                       feed an event at t=0 ms
//     log info: twinbeat starting…  each indented line: one expected effect, in order
//   1000 recv eth1 heartbeat held=192.0.2.50
//   9000 ticks                      tick at every nextDeadline up to t=9000
//
// Before each event the runner ticks at every deadline that falls before it, as the shell
// does; `T! event` skips that (the node was stalled until T).
// Events: `start GEN [releasing=G,…]`, `tick`, `ticks` (until the time given), `recv PATH KIND [key=value…]`
// (KIND heartbeat|release-request|release-done|shutdown|shutdown-ack; keys gen seq ack mode held granted
// failed marked stuck resetme(=1) epochs fence reach groups; lists comma-separated, epochs as group:n; defaults: gen 1, seq
// counting up, ack = our generation, mode active, every held or granted group at epoch 1),
// `admin standby|takeover|takeover-force|fence`, `reach N` (this node's ping count), `carrier IFACES`,
// `started G ok|failed`, `stopped G ok|failed`, `checked G ok|failed [detail]`, `cleanup G`,
// `reset ok|failed`, `shutdown`; `state` is no event but lists each group's state here as
// `state G: released|starting|held|stopping|failed|stop-failed[, token][, failed here]`. Config keys beyond the example: pings deadping track
// monitor (ms) misses (monitor_failures) failover (on|off) probe (ms, probeLeadMs) stopfail (fence|block|handover, every group's on_stop_failure)
// holddown flaplimit flapwindow (ms; failback_holddown, flap_limit, flap_window; absent: none). Recv keys beyond
// those: steady=MS:CAUSE (a + in CAUSE is a space), moves=G@EPOCH@AGO,... (see damping.ts). Heartbeat sends and decision effects are not listed (every
// decision is also a log line); other sends read `send KIND [groups]`. A Heartbeat 3.0 peer's frames:
// `hb PATH status|starting|resources|shutdone|nodes|handover|routine|crm|unknown [key=value…]` (keys gen
// seq st holds full(=0: adds) stable(1|0) info nodes type detail; see heartbeatNews); what this node says
// to it reads `send-heartbeat starting` or `send-heartbeat resource HOLDING isstable=N`.
import { readFileSync } from 'node:fs';
import { failedHere, initialState, nextDeadline, step, type CoreState } from '../../src/core';
import type { CoreConfig, CoreEvent, Effect, HeartbeatHolding, HeartbeatNews, Message, MessageKind } from '../../src/core';

export interface ScriptStep {
  line: number;
  text: string;
  expected: string[];
  actual: string[];
}

export function configFromLine(line: string): CoreConfig {
  const kv = keyValues(line.split(/\s+/).slice(1));
  const local = kv.local ?? 'node1';
  const peer = local === 'node1' ? 'node2' : 'node1';
  const failback = kv.failback ?? 'on';
  return {
    local,
    peer,
    nodes: ['node1', 'node2'],
    keepaliveMs: 1000,
    deadtimeMs: 4000,
    warntimeMs: 2000,
    initdeadMs: 8000,
    fenceDelayMs: 8000,
    paths: [
      { id: 'eth1', name: 'eth1' },
      { id: 'ttyS1', name: '/dev/ttyS1' },
    ],
    groups: (kv.groups ?? '192.0.2.50@node1').split(',').map((spec) => {
      const [id, home] = spec.split('@') as [string, string];
      return { id, home, line: `${home} ${id} httpd`, ...(kv.stopfail ? { onStopFailure: kv.stopfail as 'fence' | 'block' | 'handover' } : {}) };
    }),
    autoFailback: failback === 'off' ? 'off' : 'on',
    autoFailbackWasLegacy: failback === 'legacy',
    canResetPeer: kv.device === 'yes',
    resetRetryMs: 1000,
    resetRetryMaxMs: 8000,
    failedRetryMs: 8000,
    pingTargets: Number(kv.pings ?? 0),
    deadpingMs: Number(kv.deadping ?? 4000),
    trackedInterfaces: list(kv.track),
    monitorIntervalMs: Number(kv.monitor ?? 0),
    monitorFailures: Number(kv.misses ?? 1),
    failoverOnMonitor: kv.failover !== 'off',
    ...(kv.probe ? { probeLeadMs: Number(kv.probe) } : {}),
    failbackHolddownMs: Number(kv.holddown ?? 0),
    flapLimit: Number(kv.flaplimit ?? 0),
    flapWindowMs: Number(kv.flapwindow ?? 0),
  };
}

function keyValues(words: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words) {
    const i = w.indexOf('=');
    if (i > 0) out[w.slice(0, i)] = w.slice(i + 1);
  }
  return out;
}

const list = (v: string | undefined) => (v ? v.split(',').filter(Boolean) : []);

function movesOf(v: string): Record<string, { epoch: number; agoMs: number }[]> {
  const out: Record<string, { epoch: number; agoMs: number }[]> = {};
  for (const entry of list(v)) {
    const [g, epoch, ago] = entry.split('@') as [string, string, string];
    (out[g] ??= []).push({ epoch: Number(epoch), agoMs: Number(ago) });
  }
  return out;
}

export function formatEffect(e: Effect): string | null {
  switch (e.type) {
    case 'send':
      if (e.message.kind === 'heartbeat') return null;
      return `send ${e.message.kind}${'groups' in e.message ? ` ${e.message.groups.join(' ')}` : ''}`.trimEnd();
    case 'start-group':
      return `start ${e.group}`;
    case 'stop-group':
      return `stop ${e.group}`;
    case 'reset-peer':
      return `reset ${e.node}`;
    case 'announce-group':
      return `announce ${e.group}`;
    case 'probe-group':
      return `probe ${e.group}`;
    case 'check-group':
      return `check ${e.group}`;
    case 'log':
      return `log ${e.level}: ${e.text}`;
    case 'decision':
      return null;
    case 'exit':
      return 'exit';
    case 'send-heartbeat': {
      const m = e.message;
      if (m.what === 'resources') return `send-heartbeat resource ${m.holds} isstable=${m.stable ? 1 : 0}${m.info ? ` info=${m.info}` : ''}`;
      if (m.what === 'standby') return `send-heartbeat ask_resources ${m.holds} info=${m.info}`;
      if (m.what === 'takeover') return `send-heartbeat hb_takeover ${m.holds}`;
      return `send-heartbeat ${m.what}`;
    }
  }
}

/** `hb PATH WHAT [key=value…]`: a Heartbeat 3.0 peer's frame (keys gen seq st holds full stable info nodes type detail). */
function heartbeatNews(what: string, kv: Record<string, string>, seq: number): HeartbeatNews {
  const base = { generation: Number(kv.gen ?? 1), seq };
  switch (what) {
    case 'status':
      return { ...base, what, status: (kv.st ?? 'active') as 'init' | 'up' | 'active' };
    case 'resources':
      return { ...base, what, holds: (kv.holds ?? 'none') as HeartbeatHolding, full: kv.full !== '0', ...(kv.stable !== undefined ? { stable: kv.stable === '1' } : {}), ...(kv.info ? { info: kv.info } : {}) };
    case 'nodes':
      return { ...base, what, nodes: list(kv.nodes) };
    case 'handover':
      return { ...base, what, type: kv.type ?? 'ask_resources', holds: (kv.holds ?? 'all') as HeartbeatHolding, ...(kv.info ? { info: kv.info } : {}) };
    case 'routine':
    case 'crm':
      return { ...base, what, type: kv.type ?? '?' };
    case 'unknown':
      return { ...base, what, type: kv.type ?? '?', detail: (kv.detail ?? '').replaceAll('+', ' ') };
    case 'starting':
    case 'shutdone':
      return { ...base, what };
    default:
      throw new Error(`unknown Heartbeat news '${what}'`);
  }
}

/** Runs a script; returns each event with what was expected and what the core did. */
export function runScript(text: string): ScriptStep[] {
  const lines = text.split('\n');
  let state: CoreState | null = null;
  let peerSeq = 0;
  const steps: ScriptStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!raw.trim() || raw.trimStart().startsWith('#')) continue;
    if (/^\s/.test(raw)) {
      const last = steps[steps.length - 1];
      if (!last) throw new Error(`line ${i + 1}: an expected effect before any event`);
      last.expected.push(raw.trim());
      continue;
    }
    if (raw.startsWith('config ')) {
      state = initialState(configFromLine(raw));
      continue;
    }
    if (!state) throw new Error(`line ${i + 1}: no config line before the first event`);
    const words = raw.trim().split(/\s+/);
    // `T! event`: the node was stalled until T, so the ticks a shell would have fed are missing.
    const stalled = words[0]!.endsWith('!');
    const now = Number(words[0]!.replace('!', ''));
    const verb = words[1];
    const args = words.slice(2);
    const effects: Effect[] = [];
    const shown: string[] = [];
    const feed = (event: CoreEvent) => {
      const r = step(state!, event);
      state = r.state;
      effects.push(...r.effects);
    };
    // Like the shell: every deadline before this event gets its tick first.
    if (verb !== 'start' && !stalled && state.generation !== 0) {
      for (let d = nextDeadline(state); d !== null && d < now; d = nextDeadline(state)) feed({ type: 'tick', now: d });
    }
    switch (verb) {
      case 'start':
        feed({ type: 'start', now, generation: Number(args[0]), ...(args[1]?.startsWith('releasing=') ? { releasing: list(args[1].slice(10)) } : {}) });
        break;
      case 'tick':
        feed({ type: 'tick', now });
        break;
      case 'ticks':
        for (let d = nextDeadline(state); d !== null && d <= now; d = nextDeadline(state)) feed({ type: 'tick', now: d });
        break;
      case 'recv': {
        const kv = keyValues(args.slice(2));
        const held = list(kv.held);
        const granted = list(kv.granted);
        const epochs: Record<string, number> = {};
        for (const g of [...held, ...granted]) epochs[g] = 1;
        for (const pair of list(kv.epochs)) {
          const [g, n] = pair.split(':') as [string, string];
          epochs[g] = Number(n);
        }
        const seq = kv.seq ? Number(kv.seq) : ++peerSeq;
        peerSeq = seq;
        const message = {
          kind: args[1] as MessageKind,
          generation: Number(kv.gen ?? 1),
          seq,
          ackGeneration: kv.ack !== undefined ? Number(kv.ack) : state.generation,
          mode: (kv.mode ?? 'active') as Message['mode'],
          held,
          granted,
          failed: list(kv.failed),
          ...(kv.marked !== undefined ? { marked: list(kv.marked) } : {}),
          ...(kv.stuck !== undefined ? { stuck: list(kv.stuck) } : {}),
          ...(kv.resetme === '1' ? { resetMe: true } : {}),
          epochs,
          fenceInMs: kv.fence !== undefined ? Number(kv.fence) : -1,
          ...(kv.reach !== undefined ? { reach: Number(kv.reach) } : {}),
          ...(kv.down !== undefined ? { down: list(kv.down) } : {}),
          // steady=800:eth0 (a + in the cause is a space); moves=G@EPOCH@AGO,...
          ...(kv.steady !== undefined ? { steady: { forMs: Number(kv.steady.split(':')[0]), cause: kv.steady.slice(kv.steady.indexOf(':') + 1).replaceAll('+', ' ') } } : {}),
          ...(kv.moves !== undefined ? { moves: movesOf(kv.moves) } : {}),
          ...(args[1] === 'release-request' || args[1] === 'release-done' ? { groups: list(kv.groups) } : {}),
        } as Message;
        feed({ type: 'message', now, path: args[0]!, message });
        break;
      }
      case 'hb': {
        const kv = keyValues(args.slice(2));
        const seq = kv.seq ? Number(kv.seq) : ++peerSeq;
        peerSeq = seq;
        feed({ type: 'heartbeat-peer', now, path: args[0]!, news: heartbeatNews(args[1]!, kv, seq) });
        break;
      }
      case 'carrier':
        feed({ type: 'carrier', now, down: list(args[0]) });
        break;
      case 'reach':
        feed({ type: 'reachability', now, reachable: Number(args[0]) });
        break;
      case 'admin':
        feed({ type: 'admin', now, command: args[0] as 'standby' | 'takeover' | 'takeover-force' | 'fence' });
        break;
      case 'started':
      case 'stopped':
        feed({ type: 'group-result', now, group: args[0]!, action: verb === 'started' ? 'start' : 'stop', ok: args[1] === 'ok' });
        break;
      case 'reset':
        feed({ type: 'reset-result', now, ok: args[0] === 'ok' });
        break;
      case 'checked':
        feed({ type: 'check-result', now, group: args[0]!, ok: args[1] === 'ok', ...(args.length > 2 ? { detail: args.slice(2).join(' ') } : {}) });
        break;
      case 'cleanup':
        feed({ type: 'cleanup', now, group: args[0]! });
        break;
      case 'shutdown':
        feed({ type: 'shutdown', now });
        break;
      case 'state':
        // Not an event: the groups' state here, for a script to assert what status would show.
        for (const [id, slot] of Object.entries(state.groups)) {
          shown.push(`state ${id}: ${slot.state}${slot.token ? ', token' : ''}${failedHere(slot, now) ? ', failed here' : ''}`);
        }
        break;
      default:
        throw new Error(`line ${i + 1}: unknown event '${verb}'`);
    }
    const actual = [...effects.map(formatEffect).filter((x): x is string => x !== null), ...shown];
    steps.push({ line: i + 1, text: raw.trim(), expected: [], actual });
  }
  return steps;
}

/** The script with the core's actual effects in place of the expected ones (for writing new scripts). */
export function transcript(text: string): string {
  const steps = runScript(text);
  const header = text.split('\n').filter((l) => l.startsWith('#') || l.startsWith('config '));
  return [...header, ...steps.flatMap((s) => [s.text, ...s.actual.map((a) => `  ${a}`)])].join('\n') + '\n';
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  for (const file of process.argv.slice(2)) process.stdout.write(transcript(readFileSync(file, 'utf8')));
}
