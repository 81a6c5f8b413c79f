// Painted guidance masks as the link stores them: one bit per pixel (row-major, pixel i
// at byte i/8, bit i%8, least significant first; 1 = must not matter), base64 with
// padding. Pure functions, shared by the painter and its tests.

// A Uint8Array of 0/1 per pixel → base64 of its bitset.
export function encodeMask(mask) {
  const bytes = new Uint8Array(Math.ceil(mask.length / 8));
  mask.forEach((m, i) => {
    if (m) bytes[i >> 3] |= 1 << (i & 7);
  });
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

// base64 of a bitset → a Uint8Array of 0/1 for `pixels` pixels; throws on a malformed or
// wrongly sized string (a hand-edited link), naming what was expected.
export function decodeMask(bits, pixels) {
  let binary;
  try {
    binary = atob(bits);
  } catch {
    throw new Error('a painted mask is not valid base64');
  }
  const want = Math.ceil(pixels / 8);
  if (binary.length !== want) throw new Error(`a painted mask has ${binary.length} bytes, expected ${want} for ${pixels} pixels`);
  return Uint8Array.from({ length: pixels }, (_, i) => (binary.charCodeAt(i >> 3) >> (i & 7)) & 1);
}

// How many pixels a mask marks.
export const markedCount = (mask) => mask.reduce((n, m) => n + m, 0);
