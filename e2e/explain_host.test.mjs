// The worker's explanation host (www/explain/host.js) with a fake session: progress is
// throttled, but a refining method's maps so far are never dropped by the throttle.
// Pure JS: no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createExplainHost } from '../www/explain/host.js';

test('a partial map reported between throttled posts reaches the page with the next post', async () => {
  const posted = [];
  // Ten reports in a burst (far quicker than the throttle); the maps so far come with the second.
  const session = {
    async explainRows(json, indices, progress) {
      for (let done = 1; done <= 10; done += 1) {
        const partial = done === 2 ? { shape: [1, 2], maps: Float32Array.of(0.5, 0.25) } : undefined;
        if (!(await progress(done, 10, partial))) throw new Error('cancelled');
      }
      return { method: 'rise' };
    },
  };
  const host = createExplainHost({ session: () => session, yieldToEvents: async () => {}, post: (m) => posted.push(m) });
  await host.run({ request: { method: 'rise' }, source: { indices: [0] } });
  const withMaps = posted.filter((m) => m.partial);
  assert.equal(withMaps.length, 1, `posts: ${JSON.stringify(posted.map((m) => m.done))}`);
  assert.deepEqual(Array.from(withMaps[0].partial.maps), [0.5, 0.25]);
  assert.equal(posted.at(-1).done, 10, 'the last report is always posted');
  assert.ok(posted.length < 10, 'reports in a burst are throttled');
});
