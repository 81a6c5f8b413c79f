// The epoch progress bar: how far into the current epoch training is, and when the
// epoch will end at the measured speed.
export function createEpochProgress(root) {
  root.innerHTML = `<label>Epoch progress <progress max="1" value="0" title="Share of the current epoch's steps done"></progress></label>
    <span class="eta" role="status" title="Time to the end of this epoch at the current speed">–</span>`;
  const bar = root.querySelector('progress');
  const eta = root.querySelector('.eta');
  return {
    update({ metrics, stepsPerEpoch, epochsPerSec }) {
      const done = stepsPerEpoch > 0 ? (metrics.step % stepsPerEpoch) / stepsPerEpoch : 0;
      bar.value = done;
      if (!epochsPerSec) {
        eta.textContent = `epoch ${metrics.epoch}`;
        return;
      }
      const seconds = (1 - done) / epochsPerSec;
      eta.textContent = `epoch ${metrics.epoch} · ${(1 / epochsPerSec).toFixed(1)} s/epoch · ETA ${seconds.toFixed(1)} s`;
    },
  };
}
