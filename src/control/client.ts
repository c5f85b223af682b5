// Asks the running agent over its control socket.
import { connect } from 'node:net';
import { join } from 'node:path';
import { shown } from '../printable';
import { SOCKET_NAME, type ControlReply, type ControlRequest } from './protocol';

export const DEFAULT_RUN_DIR = '/run/twinbeat';

export function askAgent(runDir: string, request: ControlRequest, timeoutMs = 10_000): Promise<ControlReply> {
  const path = join(runDir, SOCKET_NAME);
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(path);
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve({ ok: false, error: `no answer from the agent on ${path} within ${timeoutMs} ms` });
    });
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'is twinbeat running?' : err.message;
      resolve({ ok: false, error: `cannot reach the agent on ${path}: ${why}` });
    });
    socket.on('end', () => {
      try {
        resolve(JSON.parse(answer) as ControlReply);
      } catch {
        resolve({ ok: false, error: `the agent's answer is not JSON: ${shown(answer, 200)}` });
      }
    });
  });
}
