// Lets a worker's queued messages (pause, cancel, API calls) run between chunks of work.
// A MessageChannel task, unlike setTimeout(0), is not clamped to 4 ms when nested.
const channel = new MessageChannel();
const waiters = [];
channel.port1.onmessage = () => waiters.shift()();

export const yieldToEvents = () =>
  new Promise((resolve) => {
    waiters.push(resolve);
    channel.port2.postMessage(0);
  });
