// `stonith_host FROMNODE TYPE key=value...`: Heartbeat's directive for a reset device wired to
// FROMNODE (`*`: to both nodes), with twinbeat's device types. Driving the devices is
// src/fence's job; here the words are read and checked, board profiles and channels included.
import { shown } from '../../printable';
import { findProfile, profileNames } from '../boards';
import { NODE_NAME_RULE, isNodeName, parseBoolean, parseDuration, parseInteger } from '../values';
import type { ResetDeviceSpec } from '../types';
import type { Directive, DirectiveContext } from './directive';

const TYPES = ['gpio-relay', 'external', 'manual'] as const;

const PARAMS: Record<ResetDeviceSpec['type'], string[]> = {
  'gpio-relay': ['target', 'board', 'channel', 'chip', 'line', 'active_low', 'wiring', 'pulse'],
  external: ['target', 'command', 'timeout'],
  manual: ['target'],
};

const EXAMPLES: Record<ResetDeviceSpec['type'], string> = {
  'gpio-relay': 'stonith_host * gpio-relay target=node2 board=rpi4 channel=1',
  external: 'stonith_host * external target=node2 command=/usr/local/sbin/reset-node',
  manual: 'stonith_host * manual target=node2',
};

function checkParams(type: ResetDeviceSpec['type'], params: Record<string, string>, ctx: DirectiveContext): boolean {
  const problems: string[] = [];
  const unknown = Object.keys(params).filter((k) => !PARAMS[type].includes(k));
  if (unknown.length > 0) problems.push(`unknown parameter ${shown(unknown.join(', '))} (known: ${PARAMS[type].join(', ')})`);
  if (!params.target) problems.push('target=NODE is missing');
  else if (!isNodeName(params.target)) problems.push(`target "${shown(params.target)}" is not a node name`);
  if (type === 'gpio-relay') {
    const byBoard = params.board !== undefined || params.channel !== undefined;
    const byChip = params.chip !== undefined || params.line !== undefined;
    if (byBoard === byChip) problems.push('name the relay by board=PROFILE channel=N or by chip=LABEL line=N');
    else if (byBoard && (!params.board || !params.channel)) problems.push('board= and channel= go together');
    else if (byChip && (!params.chip || !params.line)) problems.push('chip= and line= go together');
    if (params.channel !== undefined && !parseInteger(params.channel, 0, 63).ok) problems.push('channel must be 0 to 63');
    if (params.board) {
      const profile = findProfile(params.board);
      if (!profile) problems.push(`board "${shown(params.board)}" is not a known profile (known: ${profileNames()}; see "twinbeat boards"), or name the line with chip=LABEL line=N`);
      else if (params.channel && !profile.channels[String(Number(params.channel))]) {
        problems.push(`board ${profile.name} has no channel ${shown(params.channel)} (channels: ${Object.keys(profile.channels).join(', ')})`);
      }
    }
    if (params.line !== undefined && !parseInteger(params.line, 0, 1023).ok) problems.push('line must be 0 to 1023');
    if (params.active_low !== undefined && !parseBoolean(params.active_low).ok) problems.push('active_low must be yes or no');
    if (params.wiring !== undefined && params.wiring !== 'nc' && params.wiring !== 'no') problems.push('wiring must be nc (normally closed) or no (normally open)');
    if (params.pulse !== undefined) {
      const pulse = parseDuration(params.pulse);
      if (!pulse.ok || pulse.value < 100) problems.push('pulse must be a duration of at least 100ms, such as 2s');
    }
  }
  if (type === 'external') {
    if (!params.command || !params.command.startsWith('/')) problems.push('command=PATH must be an absolute path');
    if (params.timeout !== undefined) {
      const timeout = parseDuration(params.timeout);
      if (!timeout.ok || timeout.value < 1000) problems.push('timeout must be a duration of at least 1s, such as 60s');
    }
  }
  if (problems.length === 0) return true;
  ctx.diag.error(ctx.source, `stonith_host ${shown(type)}: ${problems.join('; ')}; e.g. "${EXAMPLES[type]}"`);
  return false;
}

export const stonithHost: Directive = {
  name: 'stonith_host',
  handle(args, ctx) {
    const [from, type, ...rest] = args;
    if (!from || !type) {
      ctx.diag.error(ctx.source, `stonith_host needs FROMNODE TYPE PARAMS..., e.g. "${EXAMPLES['gpio-relay']}"`);
      return;
    }
    if (!(TYPES as readonly string[]).includes(type)) {
      const hint = type === 'meatware' ? ' (Heartbeat\'s meatware is "manual" here)' : '';
      ctx.diag.error(
        ctx.source,
        `stonith_host: device type "${shown(type)}" is not available in twinbeat${hint}; use gpio-relay, external (wrap your device's tool: command=PATH) or manual`,
      );
      return;
    }
    if (from !== '*' && !isNodeName(from)) {
      ctx.diag.error(ctx.source, `stonith_host: "${shown(from)}" is not a node name: expected the node the device is wired to (${NODE_NAME_RULE}), or * for both`);
      return;
    }
    // A null-prototype table: a parameter named "constructor" or "__proto__" is just unknown.
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const word of rest) {
      const eq = word.indexOf('=');
      if (eq <= 0) {
        ctx.diag.error(ctx.source, `stonith_host: "${shown(word)}" is not key=value; e.g. "${EXAMPLES[type as ResetDeviceSpec['type']]}"`);
        return;
      }
      params[word.slice(0, eq)] = word.slice(eq + 1);
    }
    const deviceType = type as ResetDeviceSpec['type'];
    if (!checkParams(deviceType, params, ctx)) return;
    ctx.draft.resetDevices.push({
      from: from === '*' ? '*' : from.toLowerCase(),
      type: deviceType,
      target: (params.target ?? '').toLowerCase(),
      // Every key is a known one by now: a plain object again, for the code and tests that read it.
      params: { ...params },
      source: ctx.source,
    });
  },
};
