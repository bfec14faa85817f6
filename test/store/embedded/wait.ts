/** Waiting on a condition with a deadline, for tests that must not sleep for a result. */

export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: { within: number; what: string },
): Promise<T> {
  const deadline = Date.now() + options.within;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${options.within} ms: ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
