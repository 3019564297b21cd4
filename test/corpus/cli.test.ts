// The corpus through `migrascope` as a person runs it (a process of its own), a few cases of each
// kind (the parsers' test takes every case): the file is refused with exit 2 and one line naming
// the field or line, no stack trace, and the command ends within a bound (no hang, no half-start).
import { describe, expect, it } from 'vitest';
import { migrascope } from '../support/cli.ts';
import { corpusCases, STACK_TRACE, type CorpusKind } from './corpus.ts';

const BOUND_MS = 20_000;

/** How each kind is given to the command that reads it; the app's URL is never reached. */
const COMMAND: Partial<Record<CorpusKind, (path: string) => string[]>> = {
  resources: (path) => ['run', path],
  'run-files': (path) => ['run', path],
  profiles: (path) => ['load', '--url', 'http://127.0.0.1:9', '--users', '1', '--ramp-up', '0s', '--steady', '1s', '--ramp-down', '0s', '--profile', path],
  'testbed-configs': (path) => ['testbed', '--config', path, '--json'],
  'request-logs': (path) => ['analyze', path],
};

/** The cases run as processes: the hostile ones (expansion, depth, invisible characters, binary, traps); the others only in parsers.test.ts. */
const CHOSEN = /alias-bomb|deep|rtl|binary|absorbing/;

for (const [kind, command] of Object.entries(COMMAND) as [CorpusKind, (path: string) => string[]][]) {
  describe(`Given the bad ${kind} of the corpus, given to the program`, () => {
    const cases = corpusCases(kind).filter((c) => CHOSEN.test(c.name));
    it.each(cases.map((c) => [c.name, c] as const))(
      'When it reads %s, Then it exits 2 naming where, with no stack trace',
      async (_, corpusCase) => {
        const started = performance.now();
        const run = await migrascope(...command(corpusCase.path));
        expect(run.code, run.stderr).toBe(2);
        for (const words of corpusCase.expect) expect(run.stderr).toContain(words);
        expect(run.stderr).not.toMatch(STACK_TRACE);
        expect(performance.now() - started).toBeLessThan(BOUND_MS);
      },
      BOUND_MS * 2,
    );
  });
}
