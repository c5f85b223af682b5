// The local control socket that `twinbeat status`, `standby`, `takeover`, ... talk to.
// A unix socket in the run directory (0700, twinbeat's own: run-dir.ts), mode 0600 (root
// only), so no other user can move the service. Each command is a handler given by the agent;
// a failing handler answers an error and never disturbs the agent. Commands are looked up in a
// Map: a request for "constructor" or "toString" is an unknown command, not an object's method.
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { escapeControls, shown } from '../printable';
import { prepareRunDir } from './run-dir';
import { MAX_REQUEST_BYTES, SOCKET_NAME, type ControlReply, type ControlRequest } from './protocol';

export type ControlHandler = (request: ControlRequest) => Promise<unknown> | unknown;

export class ControlSocket {
  private server: Server | undefined;
  private readonly handlers: ReadonlyMap<string, ControlHandler>;
  readonly path: string;

  constructor(
    private readonly runDir: string,
    handlers: Record<string, ControlHandler>,
  ) {
    this.path = join(runDir, SOCKET_NAME);
    this.handlers = new Map(Object.entries(handlers));
  }

  /** Returns a note when the run directory's mode had to be corrected; throws RunDirError when it is not twinbeat's. */
  async start(): Promise<string | undefined> {
    const note = await prepareRunDir(this.runDir);
    // A socket file left by a killed run would make listen fail with EADDRINUSE.
    await rm(this.path, { force: true });
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(this.path, 0o600);
    this.server = server;
    return note;
  }

  private serve(socket: Socket): void {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000, () => socket.destroy());
    const reply = (r: ControlReply) => socket.end(`${JSON.stringify(r)}\n`);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_REQUEST_BYTES) return reply({ ok: false, error: 'request too long' });
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      let request: ControlRequest;
      try {
        request = JSON.parse(buffered.slice(0, newline)) as ControlRequest;
      } catch {
        return reply({ ok: false, error: 'request is not JSON' });
      }
      const command: unknown = request?.command;
      const handler = typeof command === 'string' ? this.handlers.get(command) : undefined;
      if (!handler) {
        const named = typeof command === 'string' ? shown(command) : shown(JSON.stringify(command) ?? 'nothing');
        return reply({ ok: false, error: `unknown command "${named}" (known: ${[...this.handlers.keys()].join(', ')})` });
      }
      Promise.resolve()
        .then(() => handler(request))
        .then(
          (result) => reply({ ok: true, result }),
          // Escaped: a handler's message may quote what the request said (a node, a group).
          (err: unknown) => reply({ ok: false, error: escapeControls(err instanceof Error ? err.message : String(err)) }),
        );
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(this.path, { force: true });
  }
}
