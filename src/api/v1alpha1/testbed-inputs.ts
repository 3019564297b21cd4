// What an experiment may tell a simulated pool (the Migrascope testbed) about its migrations: the
// pre-copy model's inputs that a real pool decides by itself, the VM's memory and the migration
// link's bandwidth. Written as the testbed's topology writes them (2GiB, 1Gbit/s, 100MB/s) and
// read by the same parser. A real pool is refused: Migrascope neither resizes a VM someone runs
// nor shapes a network it does not own, so on a real pool these are not settable.

import { z } from 'zod';
import { parseByteRate, parseBytes, QuantityError } from '../../quantity/index.ts';

/** A size or rate as src/quantity reads it, positive, checked by that parser (the API server sees text). */
function quantityText(parse: (field: string, text: string) => number, example: string) {
  return z
    .string()
    .min(1)
    .max(32)
    .check((payload) => {
      try {
        if (!(parse('value', payload.value) > 0)) payload.issues.push({ code: 'custom', message: `must be greater than zero (e.g. ${example})`, input: payload.value });
      } catch (error) {
        if (!(error instanceof QuantityError)) throw error;
        payload.issues.push({ code: 'custom', message: error.message.replace(/^value: /, ''), input: payload.value });
      }
    });
}

export const MemorySize = quantityText(parseBytes, '2GiB').describe('A size: 2GiB, 512MiB, 4GB.');
export const LinkRate = quantityText(parseByteRate, '1Gbit/s').describe('A rate: 1Gbit/s, 100MB/s, 500Mbit/s.');

export const TestbedInputs = z.strictObject({
  vmMemory: MemorySize.optional().describe("The migrated VM's memory, as the pre-copy model sees it (the testbed topology's vms[].memory), e.g. 4GiB."),
  linkBandwidth: LinkRate.optional().describe("The migration link's bandwidth (the testbed topology's hosts[].linkBandwidth), e.g. 1Gbit/s or 100MB/s."),
});
export type TestbedInputs = z.output<typeof TestbedInputs>;

/** Bytes and bytes per second, as the model takes them; only the fields that were set. */
export function testbedModelInputs(inputs: TestbedInputs | undefined): { memoryBytes?: number; bandwidthBytesPerSecond?: number } | undefined {
  if (inputs?.vmMemory === undefined && inputs?.linkBandwidth === undefined) return undefined;
  return {
    ...(inputs.vmMemory === undefined ? {} : { memoryBytes: parseBytes('testbed.vmMemory', inputs.vmMemory) }),
    ...(inputs.linkBandwidth === undefined ? {} : { bandwidthBytesPerSecond: parseByteRate('testbed.linkBandwidth', inputs.linkBandwidth) }),
  };
}
