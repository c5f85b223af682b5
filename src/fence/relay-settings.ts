// Reads a gpio-relay's ha.cf parameters into what the relay driver needs: where the line is
// (chip labels and offset, from a board profile's channel or from chip=/line=), and which level
// cuts the target's power. ha.cf has been validated by then (src/config/directives/reset.ts);
// the functions here still throw with a reason rather than guess.
import type { ResetDeviceSpec } from '../config/types';
import { parseBoolean, parseDuration } from '../config/values';
import { channelChipLabels, findProfile } from '../config/boards';

export type Wiring = 'nc' | 'no';
export type Level = 0 | 1;
export type PowerState = 'powered' | 'cut';

export const DEFAULT_PULSE_MS = 2000;

export interface RelaySettings {
  target: string;
  /** Chip labels, any of which; empty: the chip with the lowest base (the generic profile). */
  chipLabels: string[];
  offset: number;
  /** How ha.cf named the line, for messages: "board raspberry-pi-5 channel 1 (GPIO26, ...)". */
  named: string;
  wiring: Wiring;
  activeLow: boolean;
  pulseMs: number;
}

export function relaySettingsFrom(spec: ResetDeviceSpec): RelaySettings {
  const p = spec.params;
  let chipLabels: string[];
  let offset: number;
  let named: string;
  if (p.board !== undefined) {
    const profile = findProfile(p.board);
    const channel = profile?.channels[String(Number(p.channel))];
    if (!profile || !channel) throw new Error(`board ${p.board} has no channel ${p.channel ?? '(none)'}`);
    chipLabels = channelChipLabels(profile, channel);
    offset = channel.line;
    named = `board ${profile.name} channel ${p.channel}${channel.pin ? ` (${channel.pin})` : ''}`;
  } else {
    chipLabels = [p.chip ?? ''];
    offset = Number(p.line);
    named = `chip ${p.chip} line ${p.line}`;
  }
  const pulse = p.pulse === undefined ? undefined : parseDuration(p.pulse);
  const activeLow = p.active_low === undefined ? undefined : parseBoolean(p.active_low);
  return {
    target: spec.target,
    chipLabels,
    offset,
    named,
    // Normally closed by default: a relay that loses its drive leaves the peer powered.
    wiring: p.wiring === 'no' ? 'no' : 'nc',
    activeLow: activeLow?.ok ? activeLow.value : false,
    pulseMs: pulse?.ok ? pulse.value : DEFAULT_PULSE_MS,
  };
}

/**
 * The level to write for a power state. With `nc` wiring the energised relay opens the
 * contact (power cut); with `no` it closes it (power on). An active-low input energises the
 * relay at level 0. The physical level is written, so whatever a previous user left in the
 * line's active_low file cannot invert it.
 */
export function levelFor(state: PowerState, settings: Pick<RelaySettings, 'wiring' | 'activeLow'>): Level {
  const energised = state === 'cut' ? settings.wiring === 'nc' : settings.wiring === 'no';
  return (energised !== settings.activeLow ? 1 : 0) as Level;
}

export function stateOf(level: Level, settings: Pick<RelaySettings, 'wiring' | 'activeLow'>): PowerState {
  return levelFor('cut', settings) === level ? 'cut' : 'powered';
}
