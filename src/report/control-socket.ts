// The local control socket that `twinbeat status`, `standby`, `takeover`, ... talk to.
// A unix socket in the run directory, mode 0600 (root only), so no other user can move the
// service. Each command is a handler given by the agent; a failing handler answers an error
// and never disturbs the agent.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { MAX_REQUEST_BYTES, SOCKET_NAME, type ControlReply, type ControlRequest } from '../control/protocol';

export type ControlHandler = (request: ControlRequest) => Promise<unknown> | unknown;

export class ControlSocket {
  private server: Server | undefined;
  readonly path: string;

  constructor(
    runDir: string,
    private readonly handlers: Record<string, ControlHandler>,
  ) {
    this.path = join(runDir, SOCKET_NAME);
  }

  async start(): Promise<void> {
    await mkdir(join(this.path, '..'), { recursive: true, mode: 0o700 });
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
      const handler = typeof request?.command === 'string' ? this.handlers[request.command] : undefined;
      if (!handler) return reply({ ok: false, error: `unknown command "${String(request?.command)}" (known: ${Object.keys(this.handlers).join(', ')})` });
      Promise.resolve()
        .then(() => handler(request))
        .then(
          (result) => reply({ ok: true, result }),
          (err: unknown) => reply({ ok: false, error: err instanceof Error ? err.message : String(err) }),
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
