// Painted masks' link encoding (www/guide/maskbits.js): bit order, round trip, and the
// errors a hand-edited link gets. Pure functions: no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMask, decodeMask, markedCount } from '../www/guide/maskbits.js';

test('pixel i is bit i % 8 of byte i / 8, least significant first', () => {
  const mask = new Uint8Array(12);
  mask[0] = 1;
  mask[9] = 1;
  const bytes = Buffer.from(encodeMask(mask), 'base64');
  assert.deepEqual([...bytes], [0b1, 0b10]);
});

test('a mask survives the round trip, for sizes that do and do not fill the last byte', () => {
  for (const pixels of [8, 28 * 28, 16 * 16 + 3]) {
    const mask = Uint8Array.from({ length: pixels }, (_, i) => Number((i * 7919) % 5 === 0));
    const back = decodeMask(encodeMask(mask), pixels);
    assert.deepEqual(back, mask);
    assert.equal(markedCount(back), markedCount(mask));
  }
});

test('a wrongly sized or malformed mask is refused with what was expected', () => {
  const bits = encodeMask(new Uint8Array(16).fill(1));
  assert.throws(() => decodeMask(bits, 28 * 28), /2 bytes, expected 98 for 784 pixels/);
  assert.throws(() => decodeMask('not base64!', 16), /not valid base64/);
});
