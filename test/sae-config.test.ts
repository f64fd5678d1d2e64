// One SAE configuration: the trainer's knobs carry the same names from
// selectFeatures' options through the binding to TrainConfig, and their
// defaults are written once (TrainConfig), read back here.
import { native } from '../lib/native';
import { SAE_DEFAULTS } from '../lib/sae';

test('every trainer knob is an option of the same name, with the trainer default', () => {
  const d = native.saeDefaults() as unknown as Record<string, unknown>;
  const opts = SAE_DEFAULTS as unknown as Record<string, unknown>;
  const names = Object.keys(d).filter((k) => k !== 'classes' && k !== 'projection' && k !== 'epochSelection');
  expect(names.length).toBe(18);
  for (const k of names) expect([k, opts[k]]).toEqual([k, d[k]]);
  expect(SAE_DEFAULTS.projection).toBe('bilevel-l1inf');
  expect(SAE_DEFAULTS.epochSelection).toBe('test-fold');
  expect(SAE_DEFAULTS.learningRate).toBe(5e-4); // the paper's recipe
});

test('the binding reads the config by option name and refuses a missing one, naming it', () => {
  const config = { ...native.saeDefaults() } as Record<string, unknown>;
  delete config.learningRate;
  const x = new Float32Array(4);
  const args = [x, 2, 2, new Int32Array(2), Int32Array.of(0, 1), new Int32Array(0), new Int32Array(0), new Float32Array(100 * 2 + 100 + 2 * 100 + 2), new Int32Array(1), undefined] as const;
  expect(() => (native.saeTrainFold as (...a: unknown[]) => unknown)(config, ...args)).toThrow(/config\.learningRate/);
});
