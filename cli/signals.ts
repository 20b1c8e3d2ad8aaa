/** Resolve on SIGINT or SIGTERM (or after `seconds`, when given): how long-running commands end cleanly. */
export function untilSignal(seconds?: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      if (timer) clearTimeout(timer);
      resolve();
    };
    const timer = seconds !== undefined ? setTimeout(done, seconds * 1000) : undefined;
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
