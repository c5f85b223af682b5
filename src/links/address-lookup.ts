// The name lookup Node's dgram runs before each send, for the few addresses a link sends to.
// They are IP literals (a ucast peer, a broadcast or multicast address), yet Node's own lookup
// checks each one against its IP patterns again on every datagram: a tenth of an idle agent's
// time. The first lookup of an address goes through dns.lookup as before; an IP literal's answer
// is kept (a name's is not: its address may change), and later sends to it are answered from
// the table, on the next tick as dns.lookup answers
// an IP literal (dgram's send and bind expect the answer after they return).
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';

type Answer = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** Addresses kept at most: a link sends to a handful; anything beyond is looked up each time. */
const KEPT = 64;

type Resolve = (hostname: string, options: LookupOneOptions, callback: Answer) => void;

/** `resolve`: what answers a first question (dns.lookup; tests count its calls). */
export function rememberingLookup(resolve: Resolve = dnsLookup): (hostname: string, options: LookupOneOptions | number, callback: Answer) => void {
  const known = new Map<string, { address: string; family: number }>();
  return (hostname, options, callback) => {
    const family = typeof options === 'number' ? options : (options.family ?? 0);
    const key = `${family} ${hostname}`;
    const hit = known.get(key);
    if (hit) return void process.nextTick(callback, null, hit.address, hit.family);
    resolve(hostname, { family: family as 0 | 4 | 6 }, (err, address, answeredFamily) => {
      if (!err && known.size < KEPT && isIP(hostname) !== 0) known.set(key, { address, family: answeredFamily });
      callback(err, address, answeredFamily);
    });
  };
}
