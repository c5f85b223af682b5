// The dgram lookup that remembers IP literals: the same answers as dns.lookup, asynchronous as
// dns.lookup's, and an address asked again is answered from the table, not by dns.lookup.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import dns from 'node:dns';
import { rememberingLookup } from '../../src/links/address-lookup';

const ask = (lookup: ReturnType<typeof rememberingLookup>, host: string, family: number) =>
  new Promise<{ address: string; family: number; sync: boolean }>((resolve, reject) => {
    let returned = false;
    lookup(host, family, (err, address, answered) => (err ? reject(err) : resolve({ address, family: answered, sync: !returned })));
    returned = true;
  });

test('answers as dns.lookup, never before it returns, and asks dns.lookup once per IP literal', async () => {
  let asked = 0;
  const lookup = rememberingLookup((host, options, callback) => {
    asked++;
    dns.lookup(host, options, callback);
  });
  for (let i = 0; i < 3; i++) assert.equal(await ask(lookup, '198.51.100.2', 4), { address: '198.51.100.2', family: 4, sync: false });
  assert.equal(await ask(lookup, '2001:db8::2', 6), { address: '2001:db8::2', family: 6, sync: false });
  assert.equal(await ask(lookup, '2001:db8::2', 6), { address: '2001:db8::2', family: 6, sync: false });
  assert.is(asked, 2, 'once per address');
  await ask(lookup, 'localhost', 4);
  await ask(lookup, 'localhost', 4);
  assert.is(asked, 4, 'a name is looked up each time');
});

test('an address that is not one is an error, as from dns.lookup', async () => {
  const lookup = rememberingLookup();
  await ask(lookup, 'no-such-host.invalid', 4).then(
    () => assert.unreachable('resolved'),
    (err: NodeJS.ErrnoException) => assert.ok(err.code, String(err)),
  );
});

test.run();
