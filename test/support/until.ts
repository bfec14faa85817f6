/**
 * Waits for a condition instead of sleeping: polls `check` until it returns a truthy value
 * (which is returned) or the deadline passes (which fails naming `what`). An error thrown by
 * `check` fails at once: it means the thing waited for can no longer happen.
 */
export async function until<T>(
  check: () => T | Promise<T>,
  options: { within?: number; every?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const within = options.within ?? 10_000;
  const deadline = Date.now() + within;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${within} ms waiting for ${options.what ?? 'a condition'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.every ?? 10));
  }
}
