/**
 * Waits for a condition instead of sleeping: polls `check` until it returns a truthy value
 * (which is returned) or the deadline passes (which fails with `what` in the message).
 */
export async function until<T>(
  check: () => T | Promise<T>,
  options: { within?: number; every?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.within ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const reason = last instanceof Error ? `; last error: ${last.message}` : '';
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.every ?? 10));
  }
}
