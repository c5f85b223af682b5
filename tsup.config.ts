import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// One file for the appliance. Native addons cannot be bundled: they are loaded
// from node_modules (or from the tarball that ships them beside the bundle).
export default defineConfig({
  entry: { twinbeat: 'src/cli.ts' },
  outDir: 'build',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  bundle: true,
  splitting: false,
  minify: true,
  sourcemap: true,
  clean: true,
  define: { __TWINBEAT_VERSION__: JSON.stringify(pkg.version) },
  external: ['@serialport/bindings-cpp', 'onoff', 'epoll'],
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __twinbeatCreateRequire } from 'node:module'; const require = __twinbeatCreateRequire(import.meta.url);" },
});
