// The default serial binding, with reads that end when the device hangs up.
//
// When a tty hangs up (a USB adapter unplugged, the far end of a pty gone), Linux makes every
// later read return 0 bytes at once. @serialport/bindings-cpp 13 reads again whenever it gets 0
// (serialport/bindings-cpp#162, unfixed), so its read() never settles: the link would never
// notice the loss, never reopen the device, and one thread of libuv's pool would spin on the
// dead descriptor. Whether a read lands before or after the kernel's hang-up work is a race, so
// this showed as a rare test failure (one end of a cut cable never reported it) and, on a busy
// appliance, would be a USB adapter that is never picked up again after a replug.
//
// Here only the read is replaced: the same non-blocking read and the binding's own poller when
// there is nothing to read, but 0 bytes means the device is gone. Writes and close stay the
// binding's.
import { read } from 'node:fs';
import { promisify } from 'node:util';
import type { SerialBinding, SerialOpenOptions, SerialPortHandle } from './serial';

const readAsync = promisify(read);

/** The parts of a bindings-cpp Linux/macOS port this reader needs (both are public there). */
export interface PolledPort {
  readonly isOpen: boolean;
  fd: number | null;
  poller: { once(event: 'readable', callback: (err: Error | null) => void): unknown };
}

const isPolled = (port: SerialPortHandle): port is SerialPortHandle & PolledPort =>
  typeof (port as Partial<PolledPort>).fd === 'number' && typeof (port as Partial<PolledPort>).poller?.once === 'function';

const RETRY_CODES = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

export class DeviceHungUp extends Error {
  constructor() {
    super('device hung up');
  }
}

/** Reads at least one byte, waits (without spinning) while there is none, fails on hang-up. */
export async function readUntilHangUp(port: PolledPort, buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number }> {
  // Each turn either returns, throws, or waits for the poller: never a busy loop.
  for (;;) {
    const fd = port.fd;
    if (!port.isOpen || fd === null) throw new Error('port is not open');
    try {
      const { bytesRead } = await readAsync(fd, buffer, offset, length, null);
      if (bytesRead === 0) throw new DeviceHungUp();
      return { bytesRead };
    } catch (err) {
      if (!RETRY_CODES.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
    // Closed while the read was out (stop(), a lost port): the native poller is gone, and asking
    // it to poll then crashes the process (SIGSEGV), as bindings-cpp's own read also guards.
    if (!port.isOpen || port.fd === null) throw new Error('port is not open');
    await new Promise<void>((resolve, reject) => port.poller.once('readable', (err) => (err ? reject(err) : resolve())));
  }
}

/** A port whose read() is readUntilHangUp; any other port (Windows) is returned as it is. */
export function hangUpAware(port: SerialPortHandle): SerialPortHandle {
  if (!isPolled(port)) return port;
  return {
    get isOpen() {
      return port.isOpen;
    },
    read: (buffer, offset, length) => readUntilHangUp(port, buffer, offset, length),
    write: (buffer) => port.write(buffer),
    close: () => port.close(),
  };
}

/** The platform's binding from @serialport/bindings-cpp, loaded on first use, reads replaced. */
export async function defaultSerialBinding(): Promise<SerialBinding> {
  const platform = (await import('@serialport/bindings-cpp')).autoDetect();
  return { open: async (options: SerialOpenOptions) => hangUpAware(await platform.open(options)) };
}
