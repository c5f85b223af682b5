// `standby` / `takeover` from the node's command topic (mqtt_commands on). Anyone who can
// publish there can move the resource group, so the broker's ACL must restrict the topic to
// the operators (docs/mqtt-and-fleet.md, "Commands"). A retained command is refused: it would run again on every reconnect.

export type MqttCommand = 'standby' | 'takeover';

export type CommandVerdict =
  | { ok: true; command: MqttCommand }
  | { ok: false; reason: string };

export function readCommand(payload: Buffer, retained: boolean): CommandVerdict {
  const word = payload.toString('utf8').trim().toLowerCase();
  if (retained) {
    return { ok: false, reason: `refused the retained command "${word.slice(0, 40)}": it would run again on every reconnect; publish it without retain, and clear the retained message` };
  }
  if (word === 'standby' || word === 'takeover') return { ok: true, command: word };
  return { ok: false, reason: `ignored the command "${word.slice(0, 40)}": expected standby or takeover` };
}
