// What check-config says about the reset devices on the machine it runs on: for each relay
// wired to this node, the sysfs line its chip and offset resolve to here. A configuration is
// often checked on a build host, where the board's chip is absent: that is a note, and an
// error only under --strict (which `twinbeat run` applies to itself).
import type { Config, SourceLine } from '../config/types';
import { findProfile, profileForModel } from '../config/boards';
import { relaySettingsFrom } from './relay-settings';
import { DEFAULT_SYSFS_ROOT, readBoardModel, resolveGpioLine } from './sysfs';

export interface InspectOptions {
  sysfsRoot?: string;
  /** Where /proc is found (default /), for the device-tree model. */
  root?: string;
}

export interface ResetDeviceInspection {
  /** Lines for the summary: resolved lines, and notes on what did not resolve here. */
  notes: string[];
  /** What did not resolve, at its ha.cf line: errors under --strict. */
  unresolved: { source: SourceLine; message: string }[];
}

export async function inspectResetDevices(config: Pick<Config, 'localNode' | 'resetDevices'>, options: InspectOptions = {}): Promise<ResetDeviceInspection> {
  const result: ResetDeviceInspection = { notes: [], unresolved: [] };
  const relays = config.resetDevices.filter((d) => d.type === 'gpio-relay');
  if (relays.length === 0) return result;
  const model = await readBoardModel(options.root ?? '/');
  const detected = model === undefined ? undefined : profileForModel(model);
  for (const spec of relays) {
    // A relay that resets this node is wired to the peer: its line exists on the peer's board.
    if (spec.target === config.localNode || (spec.from !== '*' && spec.from !== config.localNode)) continue;
    const settings = relaySettingsFrom(spec);
    try {
      const line = await resolveGpioLine(settings.chipLabels, settings.offset, options.sysfsRoot ?? DEFAULT_SYSFS_ROOT);
      const via = spec.params.board ? `${settings.named}: ` : '';
      result.notes.push(`gpio-relay for ${spec.target}: ${via}chip ${line.chip.label} line ${line.offset} = ${line.path}`);
    } catch (err) {
      const wanted = spec.params.board ? findProfile(spec.params.board)?.name : undefined;
      const board = model === undefined ? 'this machine has no device-tree model' : `this machine is "${model}"${detected ? ` (profile ${detected.name})` : ''}`;
      const mismatch = wanted && detected && wanted !== detected.name ? `, not a ${wanted}` : '';
      const message = `gpio-relay for ${spec.target} (${settings.named}) does not resolve here: ${err instanceof Error ? err.message : String(err)}; ${board}${mismatch}`;
      result.notes.push(`note: ${message}`);
      result.unresolved.push({ source: spec.source, message });
    }
  }
  return result;
}
