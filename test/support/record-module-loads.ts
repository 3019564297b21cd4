// Preloaded into a migrascope process (NODE_OPTIONS=--import this-file) by loaded-modules.ts:
// records the URL of every module the process resolves, import or require, and writes them, one
// per line, to $MIGRASCOPE_TEST_LOADED_MODULES when the process exits.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const output = process.env.MIGRASCOPE_TEST_LOADED_MODULES;
if (output === undefined) throw new Error('record-module-loads.ts: set MIGRASCOPE_TEST_LOADED_MODULES to the file to write');
const loaded = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    loaded.add(resolved.url);
    return resolved;
  },
});
process.on('exit', () => writeFileSync(output, [...loaded].join('\n')));
