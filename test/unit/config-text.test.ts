import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { continuedLines, meaningfulLines, splitWords } from '../../src/config/text';
import { nearest } from '../../src/config/suggest';
import { parseBoolean, parseDuration } from '../../src/config/values';

test('inline comments, CRLF, blank lines; line numbers kept', () => {
  assert.equal(meaningfulLines('# head\r\nkeepalive 2 # two seconds\r\n\r\n\tdeadtime 30\n'), [
    { line: 2, text: 'keepalive 2' },
    { line: 4, text: 'deadtime 30' },
  ]);
});

test('a non-breaking space (U+00A0) is whitespace, as a web copy brings it', () => {
  assert.equal(splitWords('keepalive 2\u00a0 \u00a0 '), ['keepalive', '2']);
  assert.equal(meaningfulLines('node node1\u00a0\u00a0# first\n'), [{ line: 1, text: 'node node1' }]);
});

test('haresources continuation joins lines and reports the first', () => {
  assert.equal(continuedLines('a b \\\n c\nd e\n'), [{ line: 1, text: 'a b c' }, { line: 3, text: 'd e' }]);
  assert.equal(continuedLines('a b \\\n'), [{ line: 1, text: 'a b' }]);
});

test('durations: bare seconds, s, ms, fractions', () => {
  assert.equal(parseDuration('2'), { ok: true, value: 2000 });
  assert.equal(parseDuration('2s'), { ok: true, value: 2000 });
  assert.equal(parseDuration('200ms'), { ok: true, value: 200 });
  assert.equal(parseDuration('0.5'), { ok: true, value: 500 });
  assert.equal(parseDuration('.25s'), { ok: true, value: 250 });
  for (const bad of ['', '-1', '2 s', '2m', 'ms', '1e3']) assert.is(parseDuration(bad).ok, false, bad);
});

test('booleans as Heartbeat reads them', () => {
  for (const t of ['on', 'YES', 'true', 'y', '1']) assert.equal(parseBoolean(t), { ok: true, value: true });
  for (const f of ['off', 'No', 'false', 'n', '0']) assert.equal(parseBoolean(f), { ok: true, value: false });
  assert.is(parseBoolean('maybe').ok, false);
});

test('nearest known word', () => {
  assert.is(nearest('keepalvie', ['keepalive', 'deadtime']), 'keepalive');
  assert.is(nearest('dedtime', ['keepalive', 'deadtime']), 'deadtime');
  assert.is(nearest('xyz', ['keepalive', 'deadtime']), undefined);
});

test.run();
