// Prints the suite's closing line, "tests: N passed, N failed, N skipped", from vitest's JSON
// report, so that CI reads one plain summary whatever the reporter printed above it.
import { readFileSync } from 'node:fs';

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const path = process.argv[2] ?? '.cache/test-results.json';
let report: VitestJson;
try {
  report = JSON.parse(readFileSync(path, 'utf8')) as VitestJson;
} catch (error) {
  process.stderr.write(`test-summary: cannot read ${path}: ${(error as Error).message}\n`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
process.stdout.write(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped\n`);
