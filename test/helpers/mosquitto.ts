// A real mosquitto for a test: on a free 127.0.0.1 port, with its own config file (anonymous,
// or a password file), no persistence (so a restart forgets every retained message, and only
// a reporter that re-publishes shows up again). Every wait is bounded; stop() kills by pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';

const CANDIDATES = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto'];

/** The mosquitto binary, or undefined (tests then skip, saying so). */
export function mosquittoBinary(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

export function mosquittoPasswdBinary(): string | undefined {
  return ['/usr/bin/mosquitto_passwd', '/usr/local/bin/mosquitto_passwd'].find((p) => existsSync(p));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every 25 ms until it is true; throws after `timeoutMs` saying what was awaited. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

async function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface BrokerOptions {
  /** Listen on this port (a test that starts the broker after the client); default a free one. */
  port?: number;
  /** Require this user and password (a mosquitto_passwd file); default anonymous. */
  credentials?: { username: string; password: string };
}

export class Mosquitto {
  private child: ChildProcess | undefined;
  output = '';

  private constructor(readonly port: number, readonly dir: string, private readonly configFile: string) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(options: BrokerOptions = {}): Promise<Mosquitto> {
    const binary = mosquittoBinary();
    if (!binary) throw new Error('mosquitto is not installed');
    const port = options.port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'twinbeat-mosquitto-'));
    const lines = [`listener ${port} 127.0.0.1`, 'persistence false'];
    // As root, mosquitto drops to its own user and could not read the test's files.
    if (process.getuid?.() === 0) lines.push('user root');
    if (options.credentials) {
      const passwd = mosquittoPasswdBinary();
      if (!passwd) throw new Error('mosquitto_passwd is not installed');
      const file = join(dir, 'passwd');
      const made = spawnSync(passwd, ['-b', '-c', file, options.credentials.username, options.credentials.password], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
      chmodSync(file, 0o600);
      lines.push('allow_anonymous false', `password_file ${file}`);
    } else {
      lines.push('allow_anonymous true');
    }
    const configFile = join(dir, 'mosquitto.conf');
    writeFileSync(configFile, `${lines.join('\n')}\n`);
    const broker = new Mosquitto(port, dir, configFile);
    await broker.launch();
    return broker;
  }

  private async launch(): Promise<void> {
    const child = spawn(mosquittoBinary() as string, ['-c', this.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (d) => (this.output += d));
    child.stderr?.on('data', (d) => (this.output += d));
    const deadline = Date.now() + 5000;
    while (!(await portAccepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}): ${this.output}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${this.port} within 5 s: ${this.output}`);
      await sleep(25);
    }
  }

  /** SIGSTOP: the broker keeps its sockets but answers nothing, like a hung host. */
  freeze(): void {
    if (this.child?.pid) process.kill(this.child.pid, 'SIGSTOP');
  }

  thaw(): void {
    if (this.child?.pid) process.kill(this.child.pid, 'SIGCONT');
  }

  /** Kills the broker (by pid) and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(child.pid as number, 'SIGCONT');
      process.kill(child.pid as number, 'SIGKILL');
    } catch {
      // already gone
    }
    await Promise.race([gone, sleep(3000)]);
  }

  /** Stops and starts it again on the same port; retained messages are gone (no persistence). */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A plain MQTT.js client for a test to watch the broker with; it records every message. */
export class Watcher {
  readonly messages: { topic: string; payload: string; retain: boolean }[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  }

  static async connect(url: string, topics: string[], options: IClientOptions = {}): Promise<Watcher> {
    const mqtt = await import('mqtt');
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 3000, ...options }, false);
    const watcher = new Watcher(client);
    await client.subscribeAsync(topics, { qos: 1 });
    return watcher;
  }

  /** The last payload seen on `topic`. */
  last(topic: string): string | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i]?.topic === topic) return this.messages[i]?.payload;
    return undefined;
  }

  on(topic: string): { payload: string; retain: boolean }[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => undefined);
  }
}
