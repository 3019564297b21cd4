import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../invalid/index.ts';
import { predictPreCopy, validatePreCopyInput } from './precopy-model.ts';
import { findPreCopyPreset, PRECOPY_PRESETS } from './presets.ts';

describe('pre-copy presets', () => {
  describe('Given every preset', () => {
    it.each(PRECOPY_PRESETS.map((preset) => [preset.name, preset] as const))('then %s is valid model input', (_name, preset) => {
      expect(() => validatePreCopyInput(preset.input)).not.toThrow();
    });
  });

  describe('Given study-web-vm (the study: 2 GB web VM at 600 users, gigabit Ethernet)', () => {
    const preset = findPreCopyPreset('study-web-vm');
    const prediction = predictPreCopy(preset.input);

    it('then it is a 2 GiB guest on a link no faster than gigabit line rate', () => {
      expect(preset.input.memoryBytes).toBe(2 * 1024 ** 3);
      expect(preset.input.bandwidthBytesPerSecond).toBeLessThanOrEqual(125e6);
      expect(preset.input.writableWorkingSetBytes).toBeLessThanOrEqual(preset.input.memoryBytes);
    });

    it('then the migration takes about 44 s in all with about 3 s of downtime', () => {
      expect(prediction.totalSeconds).toBeGreaterThan(43);
      expect(prediction.totalSeconds).toBeLessThan(45);
      expect(prediction.downtimeSeconds).toBeGreaterThan(2.8);
      expect(prediction.downtimeSeconds).toBeLessThan(3.2);
    });

    it('then pre-copy does not converge and Xen gives up after its 29 rounds, the pause near the end', () => {
      expect(prediction.stoppedBy).toBe('maxIterations');
      expect(prediction.rounds).toHaveLength(29);
    });
  });

  describe('Given a name no preset has', () => {
    it('then it is refused naming the field and listing the known presets', () => {
      expect(() => findPreCopyPreset('nope')).toThrow(InvalidInputError);
      expect(() => findPreCopyPreset('nope')).toThrow(/^--preset: no pre-copy preset called "nope" \(known: study-web-vm\)/);
      expect(() => findPreCopyPreset('nope', 'vms[0].preset')).toThrow(/^vms\[0\]\.preset: /);
    });
  });
});
