import type { Test } from 'uvu';

/**
 * Marks a test as skipped and says why, in the form test/run.mjs repeats above its summary.
 * Use for suites that need root or a tool the machine lacks: a skip is never silent.
 */
export function skipWithReason(test: Test, reason: string): void {
  console.log(`skip: ${reason}`);
  test.skip();
}
