// createLinks from a real ha.cf: every path carried by exactly one link, ucast and bcast lines
// on one port sharing one socket per address family, mcast and serial lines on their own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLinks } from '../../src/links';
import { McastLink } from '../../src/links/mcast';
import { SerialLink } from '../../src/links/serial';
import { UdpLink } from '../../src/links/udp';
import { BASE_HA_CF, check } from '../helpers/config-dir';
import { LineFrameSplitter } from '../helpers/line-frame-splitter';
import { RecordingLog } from '../helpers/link-log';

test('each config path is carried by exactly one link of the right kind', async () => {
  const haCf = BASE_HA_CF.replace(
    'ucast eth1 198.51.100.2\n',
    'ucast eth1 198.51.100.2\nbcast eth0\nucast eth0 2001:db8::2\nmcast eth1 239.0.0.1 695 1 0\n',
  );
  const { config, errors } = await check({ 'ha.cf': haCf });
  assert.equal(errors, []);
  const links = createLinks(config!, { log: new RecordingLog(), splitter: () => new LineFrameSplitter() });
  const carried = links.flatMap((l) => l.paths);
  assert.equal([...carried].sort(), config!.paths.map((p) => p.id).sort());
  const describe = links.map((l) => `${l.constructor.name}: ${l.paths.join(', ')}`);
  assert.equal(describe, [
    'UdpLink: ucast eth1 198.51.100.2, bcast eth0',
    'UdpLink: ucast eth0 2001:db8::2',
    'McastLink: mcast eth1 239.0.0.1',
    'SerialLink: serial /dev/ttyS1',
  ]);
  assert.instance(links[0], UdpLink);
  assert.instance(links[2], McastLink);
  assert.instance(links[3], SerialLink);
  // Nothing was opened: building links has no side effects until start().
  for (const link of links) assert.equal(link.counters(), {});
});

test.run();
