// The corpus through the parsers themselves (the functions the CLI, the engine and the controller
// call), at unit speed: every bad input is refused as InvalidInputError naming its field or line,
// with no stack trace in the words, within a bound (no hang, no runaway expansion).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResource } from '../../src/api/v1alpha1/index.ts';
import { InvalidInputError } from '../../src/invalid/index.ts';
import { parseYamlDocument } from '../../src/invalid/yaml.ts';
import { readRunFiles } from '../../src/local/run-file.ts';
import { analyzeRequestLog } from '../../src/sla/index.ts';
import { loadTopology } from '../../src/testbed/index.ts';
import { loadProfile } from '../../src/workloads/index.ts';
import { corpusCases, STACK_TRACE, type CorpusKind } from './corpus.ts';

/** The longest a parser may take over one corpus file: far above what any takes, far below a hang. */
const BOUND_MS = 5_000;

/** Each kind's entry point; `warn` gets what it says besides refusing (a log's corrupt lines). */
const ENTRY: Partial<Record<CorpusKind, (path: string, warn: (words: string) => void) => unknown>> = {
  resources: (path) => parseResource(parseYamlDocument(readFileSync(path, 'utf8'), path)),
  profiles: (path) => loadProfile(path),
  'run-files': (path) => readRunFiles([path]),
  'testbed-configs': (path) => loadTopology(path),
  // Each corrupt line is said as the CLI says it: FILE:LINE: why.
  'request-logs': (path, warn) => analyzeRequestLog(path, { onCorrupt: (line, reason) => warn(`${path}:${line}: ${reason}`) }),
};

for (const [kind, entry] of Object.entries(ENTRY) as [CorpusKind, NonNullable<(typeof ENTRY)[CorpusKind]>][]) {
  describe(`Given the bad ${kind} of the corpus`, () => {
    it.each(corpusCases(kind).map((c) => [c.name, c] as const))('When %s is parsed, Then it is refused naming where, quickly and without a stack trace', async (_, corpusCase) => {
      const started = performance.now();
      const warnings: string[] = [];
      let refusal: unknown;
      try {
        await entry(corpusCase.path, (words) => warnings.push(words));
      } catch (error) {
        refusal = error;
      }
      const elapsed = performance.now() - started;
      expect(refusal, 'accepted').toBeInstanceOf(InvalidInputError);
      const message = [(refusal as Error).message, ...warnings].join('\n');
      for (const words of corpusCase.expect) expect(message).toContain(words);
      expect(message).not.toMatch(STACK_TRACE);
      expect(elapsed).toBeLessThan(BOUND_MS);
    });
  });
}
