// ha.cf: one case per directive (supported, taken without effect, refused), and the errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DIRECTIVES } from '../../src/config/directives';
import type { Config } from '../../src/config';
import { BASE_HA_CF, check, withLine } from '../helpers/config-dir';
import { summarize } from '../../src/commands/check-config';

interface Case {
  line: string;
  /** Exact error lines expected (ha.cf:10 is the appended line). */
  errors?: string[];
  /** A warning that must be among the warnings. */
  warning?: RegExp;
  /** For an accepted line: what it must do to the Config. */
  effect?: (config: Config) => void;
  /** Taken without effect: recorded as ignored. */
  ignored?: boolean;
}

const refused = (directive: string, rest: string) => [`ha.cf:10: ${directive} is not supported by twinbeat: ${rest}`];

const CASES: Case[] = [
  { line: 'cluster lab-pair', effect: (c) => assert.is(c.cluster, 'lab-pair') },
  { line: 'cluster bad/name', errors: ['ha.cf:10: cluster bad/name: expected a name of letters, digits, "-", "_" or "." (at most 64)'] },
  { line: 'node gamma', errors: ['ha.cf:10: twinbeat runs a pair: exactly two node lines are needed, found 3 (alpha, beta, gamma)'] },
  { line: 'node ALPHA', errors: ['ha.cf:10: node ALPHA is already declared at line 8'] },
  { line: 'keepalive 200ms', effect: (c) => assert.is(c.timing.keepaliveMs, 200) },
  { line: 'keepalive 1.5', effect: (c) => assert.is(c.timing.keepaliveMs, 1500) },
  { line: 'keepalive fast', errors: ['ha.cf:10: keepalive fast: expected a duration such as 2 (seconds), 1.5s or 200ms'] },
  { line: 'keepalive 1 2', errors: ['ha.cf:10: keepalive takes one value, found 2: 1 2'] },
  { line: 'deadtime 20s', effect: (c) => assert.equal([c.timing.deadtimeMs, c.timing.warntimeMs, c.timing.initdeadMs], [20000, 10000, 20000]) },
  { line: 'warntime 4', effect: (c) => assert.is(c.timing.warntimeMs, 4000) },
  { line: 'initdead 60', effect: (c) => assert.is(c.timing.initdeadMs, 60000) },
  { line: 'deadping 20', effect: (c) => assert.is(c.timing.deadpingMs, 20000) },
  { line: 'fence_delay 5s', effect: (c) => assert.is(c.timing.fenceDelayMs, 5000) },
  { line: 'udpport 6940', effect: (c) => assert.equal(c.paths.filter((p) => p.kind === 'ucast').map((p) => p.kind === 'ucast' && p.port), [6940]) },
  { line: 'udpport 70000', errors: ['ha.cf:10: udpport 70000: expected a whole number from 1 to 65535'] },
  { line: 'baud 115200', effect: (c) => assert.equal(c.paths.filter((p) => p.kind === 'serial').map((p) => p.kind === 'serial' && p.baud), [115200]) },
  { line: 'baud 12345', errors: ['ha.cf:10: baud 12345: expected one of 9600, 19200, 38400, 57600, 115200, 230400, 460800'] },
  { line: 'auto_failback off', effect: (c) => assert.is(c.autoFailback, 'off') },
  { line: 'auto_failback sometimes', errors: ['ha.cf:10: auto_failback sometimes: expected on, off or legacy'] },
  { line: 'auto_failback legacy', warning: /ha\.cf:10: warning: auto_failback is "legacy" .*runs as "on"/, effect: (c) => assert.is(c.autoFailback, 'legacy') },
  { line: 'nice_failback on', warning: /nice_failback is obsolete; read as "auto_failback off"/, effect: (c) => assert.is(c.autoFailback, 'off') },
  { line: 'msgfmt netstring', warning: /twinbeat sends the classic format and reads both/, effect: (c) => assert.is(c.msgfmt, 'netstring') },
  { line: 'msgfmt xml', errors: ['ha.cf:10: msgfmt xml: expected classic or netstring'] },
  { line: 'logfacility local0', effect: (c) => assert.is(c.logfacility, 'local0') },
  { line: 'logfacility local9', errors: [/^ha\.cf:10: logfacility local9: expected a syslog facility: auth, /] as unknown as string[] },
  { line: 'logfile /var/log/ha-log', effect: (c) => assert.is(c.logfile, '/var/log/ha-log') },
  { line: 'logfile ha-log', errors: ['ha.cf:10: logfile ha-log: expected an absolute path for the log file'] },
  { line: 'debugfile /var/log/ha-debug', effect: (c) => assert.is(c.debugfile, '/var/log/ha-debug') },
  { line: 'debug 3', effect: (c) => assert.is(c.debugLevel, 3) },
  { line: 'env PATHS=/opt/bin', effect: (c) => assert.equal(c.env, { HA_PATHS: '/opt/bin' }) },
  { line: 'env =x', errors: ['ha.cf:10: env =x: expected NAME=value (it becomes HA_NAME for resource scripts)'] },
  { line: 'bcast eth0 eth2', effect: (c) => assert.equal(c.paths.filter((p) => p.kind === 'bcast').map((p) => p.name), ['eth0', 'eth2']) },
  { line: 'bcast', errors: ['ha.cf:10: bcast needs at least one interface, e.g. "bcast eth1"'] },
  { line: 'udp eth0', warning: /directive "udp" is the old name of "bcast"/, effect: (c) => assert.ok(c.paths.some((p) => p.id === 'bcast eth0')) },
  { line: 'ucast eth0 2001:db8::2', effect: (c) => assert.ok(c.paths.some((p) => p.kind === 'ucast' && p.peerAddress === '2001:db8::2')) },
  { line: 'ucast eth0 node-b', errors: ['ha.cf:10: ucast eth0 node-b: "node-b" is not an IPv4 or IPv6 address'] },
  { line: 'ucast eth1 198.51.100.2', errors: ['ha.cf:10: the path "ucast eth1 198.51.100.2" is already declared at line 5'] },
  { line: 'mcast eth0 239.0.0.1 694 1 0', effect: (c) => assert.ok(c.paths.some((p) => p.kind === 'mcast' && p.group === '239.0.0.1' && p.ttl === 1 && !p.loop)) },
  { line: 'mcast eth0 192.0.2.9 694 1 2', errors: ['ha.cf:10: mcast: "192.0.2.9" is not a multicast group (224.0.0.0/4 or ff00::/8); loop "2" is not 0 or 1; expected "mcast IFACE GROUP PORT TTL LOOP", e.g. "mcast eth1 239.0.0.1 694 1 0"'] },
  { line: 'serial /dev/ttyUSB0', effect: (c) => assert.ok(c.paths.some((p) => p.id === 'serial /dev/ttyUSB0' && p.name === '/dev/ttyUSB0')) },
  { line: 'serial ttyS0', errors: ['ha.cf:10: serial: "ttyS0" is not a device path such as /dev/ttyS1 or /dev/twinbeat-peer'] },
  { line: 'stonith_host * gpio-relay target=beta board=rpi4 channel=1', effect: (c) => assert.equal(c.resetDevices.map((d) => [d.from, d.type, d.target]), [['*', 'gpio-relay', 'beta']]) },
  { line: 'stonith_host alpha external target=beta command=/usr/local/sbin/reset', effect: (c) => assert.is(c.resetDevices[0]?.params.command, '/usr/local/sbin/reset') },
  { line: 'stonith_host * manual target=beta', effect: (c) => assert.is(c.resetDevices[0]?.type, 'manual') },
  { line: 'stonith_host * meatware beta', errors: ['ha.cf:10: stonith_host: device type "meatware" is not available in twinbeat (Heartbeat\'s meatware is "manual" here); use gpio-relay, external (wrap your device\'s tool: command=PATH) or manual'] },
  { line: 'stonith_host * gpio-relay target=beta chip=pinctrl', errors: ['ha.cf:10: stonith_host gpio-relay: chip= and line= go together; e.g. "stonith_host * gpio-relay target=node2 board=rpi4 channel=1"'] },
  { line: 'stonith_host beta manual target=beta', errors: ['ha.cf:10: stonith_host: beta cannot reset itself; the device wired to a node resets its peer'] },
  { line: 'hopfudge 1', ignored: true },
  { line: 'watchdog /dev/watchdog', ignored: true },
  { line: 'rtprio 5', ignored: true },
  { line: 'realtime yes', ignored: true },
  { line: 'hbgenmethod time', ignored: true },
  { line: 'use_logd no', ignored: true },
  { line: 'conn_logd_time 60', ignored: true },
  { line: 'use_apphbd no', ignored: true },
  { line: 'log_badpack true', ignored: true },
  { line: 'syslogmsgfmt false', ignored: true },
  { line: 'coredumps true', ignored: true },
  { line: 'coreroot /var/lib/heartbeat/cores', ignored: true },
  { line: 'uuidfrom nodename', ignored: true },
  { line: 'compression zlib', ignored: true },
  { line: 'compression_threshold 2', ignored: true },
  { line: 'traditional_compression no', ignored: true },
  { line: 'max_rexmit_delay 250', ignored: true },
  { line: 'memreserve 6500', ignored: true },
  { line: 'record_config_changes on', ignored: true },
  { line: 'record_pengine_inputs on', ignored: true },
  { line: 'enable_config_writes on', ignored: true },
  { line: 'apiauth ipfail gid=haclient uid=hacluster', ignored: true },
  { line: 'crm off', ignored: true },
  { line: 'pacemaker no', ignored: true },
  { line: 'autojoin none', ignored: true },
  { line: 'realtime perhaps', errors: ['ha.cf:10: realtime perhaps: expected on or off (also yes/no, true/false)'] },
  { line: 'respawn hacluster /usr/lib/heartbeat/ipfail', warning: /ipfail without ping nodes does nothing/ },
  { line: 'ping 192.0.2.254' },
  { line: 'track_interface eth0 eth2' },
  { line: 'track_interface eth0/1', errors: ['ha.cf:10: track_interface: "eth0/1" is not an interface name (up to 15 letters, digits and . _ - : @)'] },
  { line: 'ping_group gw 192.0.2.254 192.0.2.253' },
  { line: 'monitor_interval 5s', effect: (c) => assert.equal(c.monitor, { intervalMs: 5000, timeoutMs: 5000, failures: 1, failover: true }) },
  { line: 'monitor_interval 0', effect: (c) => assert.is(c.monitor.intervalMs, 0) },
  { line: 'monitor_interval 200ms', errors: ["ha.cf:10: monitor_interval 200ms is too short: each check runs every resource's status script; use 1s or more, or 0 to turn checks off"] },
  { line: 'monitor_interval often', errors: ['ha.cf:10: monitor_interval often: expected a duration such as 2 (seconds), 1.5s or 200ms'] },
  { line: 'monitor_timeout 3s', effect: (c) => assert.is(c.monitor.timeoutMs, 3000) },
  { line: 'monitor_timeout 0', errors: ['ha.cf:10: monitor_timeout 0: expected a duration above zero'] },
  { line: 'monitor_failures 3', effect: (c) => assert.is(c.monitor.failures, 3) },
  { line: 'monitor_failures 0', errors: ['ha.cf:10: monitor_failures 0: expected a whole number from 1 to 100'] },
  { line: 'resource_timeout 30s', effect: (c) => assert.equal(c.operations.limits.map((l) => [l.target, l.op, l.ms]), [[undefined, undefined, 30000]]) },
  { line: 'resource_timeout httpd stop 120', effect: (c) => assert.equal(c.operations.limits.map((l) => [l.target, l.op, l.ms]), [['httpd', 'stop', 120000]]) },
  { line: 'resource_timeout nginx 60', errors: ['ha.cf:10: resource_timeout: "nginx" is neither a group (its first resource) nor a resource of haresources'] },
  { line: 'resource_timeout httpd halt 60', errors: [/^ha\.cf:10: resource_timeout httpd halt 60: "halt" is not start, stop or status/] as unknown as string[] },
  { line: 'resource_timeout httpd stop', errors: ['ha.cf:10: resource_timeout httpd stop: the last word must be a duration such as 2 (seconds), 1.5s or 200ms'] },
  { line: 'on_stop_failure handover', effect: (c) => assert.is(c.groups[0]!.onStopFailure, 'handover') },
  { line: 'on_stop_failure 192.0.2.50/24/eth0 block', effect: (c) => assert.is(c.groups[0]!.onStopFailure, 'block') },
  { line: 'on_stop_failure fence', errors: ['ha.cf:10: on_stop_failure fence: no stonith_host can reset alpha, so nobody could; use "block" (the safe choice) or add a reset device'] },
  { line: 'on_stop_failure ignore', errors: ['ha.cf:10: expected on_stop_failure [GROUP] fence|block|handover (block is the safe choice without a reset device), found "ignore"'] },
  { line: 'on_stop_failure web block', errors: ['ha.cf:10: on_stop_failure: "web" is not a group of haresources (a group is named by its first resource: 192.0.2.50/24/eth0)'] },
  { line: 'failover_on_monitor off', effect: (c) => assert.is(c.monitor.failover, false) },
  { line: 'failback_holddown 5', effect: (c) => assert.equal(c.damping, { failbackHolddownMs: 5000, flapLimit: 4, flapWindowMs: 60_000 }) },
  { line: 'failback_holddown 0', effect: (c) => assert.is(c.damping.failbackHolddownMs, 0) },
  { line: 'failback_holddown soon', errors: ['ha.cf:10: failback_holddown soon: expected a duration such as 2 (seconds), 1.5s or 200ms'] },
  { line: 'flap_limit 6', effect: (c) => assert.is(c.damping.flapLimit, 6) },
  { line: 'flap_limit 0', effect: (c) => assert.is(c.damping.flapLimit, 0) },
  { line: 'flap_limit 1', errors: ['ha.cf:10: flap_limit 1: expected a whole number from 2 to 100'] },
  { line: 'flap_window 2min', errors: ['ha.cf:10: flap_window 2min: expected a duration such as 2 (seconds), 1.5s or 200ms'] },
  { line: 'flap_window 120', effect: (c) => assert.is(c.damping.flapWindowMs, 120_000) },
  { line: 'failover_on_monitor sometimes', errors: ['ha.cf:10: failover_on_monitor sometimes: expected on or off (also yes/no, true/false)'] },
  { line: 'ping gateway', errors: ['ha.cf:10: ping: "gateway" is not an IP address'] },
  { line: 'crm yes', errors: ['ha.cf:10: crm yes is not supported by twinbeat: it manages resources from haresources (Heartbeat v1 style); remove the line or write "crm off"'] },
  { line: 'pacemaker respawn', errors: ['ha.cf:10: pacemaker respawn is not supported by twinbeat: it manages resources from haresources (Heartbeat v1 style); remove the line or write "pacemaker off"'] },
  { line: 'autojoin any', errors: ['ha.cf:10: autojoin any is not supported by twinbeat: a pair has exactly two fixed nodes, named by the node lines; remove the line'] },
  { line: 'respawn root /usr/sbin/mydaemon', errors: ['ha.cf:10: respawn root /usr/sbin/mydaemon is not supported by twinbeat: it does not start other programs; run /usr/sbin/mydaemon as its own systemd unit'] },
  { line: 'failfast hacluster /usr/lib/heartbeat/ccm', errors: refused('failfast', 'it does not start other programs; run the program as its own systemd unit') },
  { line: 'stonith baytech /etc/ha.d/conf/stonith.baytech', errors: refused('stonith', 'describe the reset device with "stonith_host * gpio-relay target=NODE ...", "external" or "manual" (see docs/reset-devices.md)') },
  { line: 'quorum_server qs.example.com', errors: refused('quorum_server', 'a pair settles a split by resetting the peer (stonith_host), not by a quorum server') },
  { line: 'mcast6 eth0 ff05::694 694 1 0', errors: refused('mcast6', 'use "ucast IFACE IPV6-ADDRESS" for an IPv6 path') },
  { line: 'ping6 2001:db8::1', errors: refused('ping6', 'use "ping" with an IPv6 address') },
  { line: 'hbaping fc-card', errors: refused('hbaping', 'use "ping" nodes') },
  { line: 'openais', errors: refused('openais', 'twinbeat carries its own heartbeats over ucast/bcast/mcast/serial') },
  { line: 'keepalvie 2', errors: ['ha.cf:10: unknown directive "keepalvie"; did you mean "keepalive"?'] },
  { line: 'frobnicate on', errors: ['ha.cf:10: unknown directive "frobnicate"'] },
];

for (const c of CASES) {
  test(`ha.cf: ${c.line}`, async () => {
    const result = await check(withLine(c.line));
    if (c.errors) {
      assert.is(result.config, undefined, 'an error must leave no config');
      assert.is(result.errors.length, c.errors.length, result.errors.join('\n'));
      c.errors.forEach((expected, i) => {
        if (typeof expected === 'string') assert.is(result.errors[i], expected);
        else assert.match(result.errors[i] ?? '', expected as RegExp);
      });
      return;
    }
    assert.equal(result.errors, [], 'no errors expected');
    assert.ok(result.config);
    if (c.warning) assert.ok(result.warnings.some((w) => c.warning!.test(w)), `expected a warning ${c.warning}; got:\n${result.warnings.join('\n')}`);
    if (c.ignored) assert.ok(result.config.ignored.some((i) => i.source.line === 10 && c.line.startsWith(i.directive)), 'recorded as not acted on');
    c.effect?.(result.config);
  });
}

test('every directive in the table has a case above', () => {
  const covered = new Set(CASES.map((c) => c.line.split(' ')[0]));
  // The mqtt_* directives have their cases, and their own coverage check, in config-mqtt.test.ts.
  const missing = [...DIRECTIVES.keys()].filter((name) => !covered.has(name) && !name.startsWith('mqtt_'));
  assert.equal(missing, []);
});

test('ha.cf: defaults are Heartbeat\'s', async () => {
  const minimal = 'ucast eth1 198.51.100.2\nserial /dev/ttyS1\nauto_failback off\nnode alpha beta\n';
  const { config, errors } = await check({ 'ha.cf': minimal });
  assert.equal(errors, []);
  assert.equal(config?.timing, { keepaliveMs: 1000, deadtimeMs: 30000, warntimeMs: 15000, initdeadMs: 30000, deadpingMs: 30000, fenceDelayMs: 60000 });
  assert.is(config?.udpPort, 694);
  assert.is(config?.baud, 19200);
  assert.is(config?.msgfmt, 'classic');
  assert.is(config?.cluster, 'alpha-beta');
});

test('ha.cf: unset auto_failback is legacy, run as on, with a warning', async () => {
  const { config, warnings } = await check({ 'ha.cf': BASE_HA_CF.replace('auto_failback on\n', '') });
  assert.is(config?.autoFailback, 'legacy');
  assert.ok(warnings.some((w) => w.startsWith('ha.cf: warning: auto_failback is not set, so it is "legacy"')), warnings.join('\n'));
});

test('ha.cf: initdead derived as Heartbeat does', async () => {
  const derived = async (deadtime: string) => (await check(withLine(`deadtime ${deadtime}`))).config?.timing.initdeadMs;
  assert.is(await derived('20'), 20000); // deadtime > 10 s: initdead = deadtime
  assert.is(await derived('8'), 16000); // 6..10 s: 2 x deadtime
  assert.is(await derived('3'), 12000); // below 6 s: 12 s
});

test('ha.cf: deadtime must be more than twice keepalive', async () => {
  const { errors } = await check(withLine('deadtime 2'));
  assert.equal(errors, ['ha.cf:10: deadtime 2s must be more than twice keepalive 1s: raise deadtime above 2s or lower keepalive']);
});

test('ha.cf: initdead below deadtime is an error, below 10 s a warning', async () => {
  assert.equal((await check(withLine('initdead 5'))).errors, ['ha.cf:10: initdead 5s is below deadtime 10s: it must be at least deadtime']);
  const short = await check({ 'ha.cf': BASE_HA_CF.replace('deadtime 10', 'deadtime 4') + 'initdead 6\n' });
  assert.equal(short.errors, []);
  assert.ok(short.warnings.includes('ha.cf:10: warning: initdead 6s may be too short: it accounts for a slow network start-up, 10s or more is safer'));
});

test('ha.cf: warntime must be below deadtime (twinbeat\'s own check)', async () => {
  assert.equal((await check(withLine('warntime 10'))).errors, ['ha.cf:10: warntime 10s must be below deadtime 10s (a late-heartbeat warning comes before the peer is declared dead)']);
});

test('ha.cf: deadping must be more than twice keepalive', async () => {
  assert.equal((await check(withLine('deadping 2'))).errors, ['ha.cf:10: deadping 2s must be more than twice keepalive 1s']);
});

test('ha.cf: no media, or fewer than two nodes, are errors', async () => {
  const noMedia = await check({ 'ha.cf': 'node alpha beta\nauto_failback on\n' });
  assert.equal(noMedia.errors, ['ha.cf: no heartbeat path: add a serial line and an Ethernet one, e.g. "serial /dev/ttyS1" and "ucast eth1 198.51.100.2"']);
  const oneNode = await check({ 'ha.cf': 'serial /dev/ttyS1\nucast eth1 198.51.100.2\nauto_failback on\nnode alpha\n', haresources: '' });
  assert.equal(oneNode.errors, ['ha.cf: twinbeat runs a pair: exactly two node lines are needed, found 1 (alpha)']);
});

test('ha.cf: the running node must be one of the two', async () => {
  const { errors } = await check({}, { node: 'gamma' });
  assert.equal(errors, ['ha.cf: this node "gamma" is not one of the nodes (alpha, beta): run with --node NAME, or name the nodes as `uname -n` prints them']);
});

test('ha.cf: node names compare without case, as in Heartbeat', async () => {
  const { config } = await check({}, { node: 'Alpha' });
  assert.is(config?.localNode, 'alpha');
  assert.is(config?.peerNode, 'beta');
});

test('ha.cf: all paths over one cable is a warning', async () => {
  const { warnings } = await check({ 'ha.cf': BASE_HA_CF.replace('serial /dev/ttyS1\n', 'bcast eth1\n') });
  assert.ok(warnings.includes('ha.cf:5: warning: every heartbeat path runs over eth1: one cut cable would split the pair; add a serial line ("serial /dev/ttyS1") or a path on another interface'), warnings.join('\n'));
});

test('ha.cf: every problem is reported, not only the first', async () => {
  const { errors } = await check({ 'ha.cf': `${BASE_HA_CF}keepalvie 2\nbaud 7\ncrm yes\n` });
  assert.is(errors.length, 3);
  assert.equal(errors.map((e) => e.split(':')[1]), ['10', '11', '12']);
});

test('ha.cf: stonith_host names must be nodes', async () => {
  const { errors } = await check(withLine('stonith_host gamma manual target=delta'));
  assert.equal(errors, [
    'ha.cf:10: stonith_host: "gamma" is not a node (nodes: alpha, beta, or * for both)',
    'ha.cf:10: stonith_host: target "delta" is not a node (nodes: alpha, beta)',
  ]);
});

test('ping nodes and ipfail: each ping address and each ping_group is one target; ipfail switches the rule on', async () => {
  const { config } = await check({ 'ha.cf': `${BASE_HA_CF}ping 192.0.2.254 192.0.2.1\nping_group gws 198.51.100.254 198.51.100.253\nrespawn hacluster /usr/lib/heartbeat/ipfail\n` });
  assert.equal(config?.pingTargets.map((t) => [t.name, t.addresses]), [['192.0.2.254', ['192.0.2.254']], ['192.0.2.1', ['192.0.2.1']], ['gws', ['198.51.100.254', '198.51.100.253']]]);
  assert.is(config?.ipfail, true);
  const watchedOnly = await check({ 'ha.cf': `${BASE_HA_CF}ping 192.0.2.254\n` });
  assert.is(watchedOnly.config?.ipfail, false, 'without ipfail, as in Heartbeat, ping nodes move nothing');
});

test('track_interface: as written, else the interfaces the VIPs name', async () => {
  const given = await check({ 'ha.cf': `${BASE_HA_CF}track_interface eth0 eth2\ntrack_interface eth0\n` });
  assert.equal(given.config?.trackInterfaces, ['eth0', 'eth2']);
  const derived = await check({});
  assert.equal(derived.config?.trackInterfaces, ['eth0'], 'haresources names 192.0.2.50/24/eth0');
});

test('monitoring: checks every 10 s by default with a 10 s timeout, one failure counts, then the group moves; settings under monitor_interval 0 are flagged', async () => {
  const { config } = await check({});
  assert.equal(config?.monitor, { intervalMs: 10_000, timeoutMs: 10_000, failures: 1, failover: true });
  const long = await check({ 'ha.cf': `${BASE_HA_CF}monitor_interval 60\n` });
  assert.is(long.config?.monitor.timeoutMs, 20_000, "Pacemaker's default operation timeout caps the derived one");
  const off = await check({ 'ha.cf': `${BASE_HA_CF}monitor_interval 0\nmonitor_failures 2\n` });
  assert.ok(off.warnings.some((w) => /ha\.cf:11: warning: monitor_interval is 0 \(checks off\): this setting has no effect/.test(w)), off.warnings.join('\n'));
});

test('check-config explains the checks and the carrier in one line each', async () => {
  const on = summarize((await check({})).config!);
  assert.match(on, /^monitor:  every 10s \(timeout 10s\); 1 failed check\(s\) in a row restart the group in place, once; the next time it moves to the peer and is marked failed here until `twinbeat cleanup`$/m);
  assert.match(on, /^carrier:  eth0: losing carrier on the holder moves its groups to the peer$/m);
  const off = summarize((await check({ 'ha.cf': `${BASE_HA_CF}monitor_interval 0\n` })).config!);
  assert.match(off, /^monitor:  off \(monitor_interval 0\): a crashed service is not noticed$/m);
  const stays = summarize((await check({ 'ha.cf': `${BASE_HA_CF}failover_on_monitor off\nmonitor_failures 3\n` })).config!);
  assert.match(stays, /3 failed check\(s\) in a row .* is restarted again \(failover_on_monitor off\)$/m);
});

test('a serial line too slow for keepalive is a warning naming the speed to set', async () => {
  const slow = await check({ 'ha.cf': BASE_HA_CF.replace('keepalive 1', 'keepalive 200ms').replace('deadtime 10', 'deadtime 2') });
  assert.equal(slow.warnings.filter((w) => w.includes('baud')), [
    'ha.cf:6: warning: at 19200 baud a heartbeat frame (~270 bytes) takes ~141 ms on /dev/ttyS1, more than half of keepalive 200ms: raise baud (e.g. "baud 115200", on both nodes) or keepalive',
  ]);
  const fast = await check({ 'ha.cf': BASE_HA_CF.replace('keepalive 1', 'keepalive 200ms').replace('deadtime 10', 'deadtime 2').replace('udpport 694', 'udpport 694\nbaud 115200') });
  assert.equal(fast.warnings.filter((w) => w.includes('baud')), []);
});

test.run();
