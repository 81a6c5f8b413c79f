// The live timeline's memory: frames in step order, at most `max` of them. When full,
// every other frame of the older half is dropped, so the whole run stays covered
// (coarser further back) and the newest frames stay dense.
export const MAX_FRAMES = 200;

export function createFrames(max = MAX_FRAMES) {
  if (!(max >= 4)) throw new Error('a timeline keeps at least 4 frames');
  let frames = [];
  return {
    add(frame) {
      frames.push(frame);
      if (frames.length > max) {
        const half = Math.floor(frames.length / 2);
        frames = [...frames.slice(0, half).filter((_, i) => i % 2 === 0), ...frames.slice(half)];
      }
    },
    clear() {
      frames = [];
    },
    get length() {
      return frames.length;
    },
    at: (i) => frames[i],
    last: () => frames[frames.length - 1],
  };
}
