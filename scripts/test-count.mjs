// Counting a vitest JSON report for npm test's closing line.
import { relative } from 'node:path';

/**
 * Passed, failed and skipped tests of a vitest JSON report, and the test
 * files that failed to load (an import throws, a top-level await rejects, a
 * file with no test): such a file reports no failed test, so it is counted
 * here as one failure and listed in `unloaded` (its tests did not run).
 *
 * @param {{ numPassedTests?: number, numFailedTests?: number, numPendingTests?: number, numTodoTests?: number,
 *   testResults?: Array<{ name: string, status: string, assertionResults?: Array<{ status: string }> }> }} report
 * @param {string} root paths in `unloaded` are relative to it
 * @returns {{ passed: number, failed: number, skipped: number, unloaded: string[] }}
 */
export function countReport(report, root) {
  const unloaded = [];
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((a) => a.status === 'failed').length;
    if (file.status === 'failed' && failedTests === 0) unloaded.push(relative(root, file.name));
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + unloaded.length,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    unloaded,
  };
}
