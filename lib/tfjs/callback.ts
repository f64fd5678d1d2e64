// projectionCallback: projects Dense kernels while a tfjs model trains, after
// the optimizer's step (model.fit / fitDataset run callbacks after each
// batch's update). A tf.Callback rather than a kernelConstraint: in
// tfjs-layers 4.x fit() has the optimizer assign the underlying variables
// directly, and constraints run only when a weight is written through the
// layer (setWeights), so a constraint would never see the training steps.
import type { Callback, LayersModel } from '@tensorflow/tfjs';
import { argumentError, invalidType, invalidValue } from '../errors';
import type { Groups } from '../types';
import * as check from '../validate';
import { checkDenseClass, denseKernel, groupsOf, nonzeroGroups, readKernel, type Axis, type DenseKernel, type LayerLike } from './kernel';
import type { Tf } from './peer';
import { checkSpec, projectKernel, type LayerProjection, type LayerProjectionResult, type ProjectionSpec } from './project';

export interface ProjectionCallbackOptions {
  /** The Dense layer to project, or its name in the model. Default: the model's first Dense layer. */
  layer?: LayerLike | string;
  /** Several Dense layers (or names), each projected on its own ball. Exclusive with `layer`. */
  layers?: ReadonlyArray<LayerLike | string>;
  /** Default 'bilevel-l1inf'. */
  projection?: LayerProjection;
  /** The radius. At most one of eta and keep; neither means mask only (needs freezeZeros). */
  eta?: number;
  /** Keep at most this many groups per layer (the radius is recomputed at each projection). */
  keep?: number;
  /** 'inputs' (default: kernel rows, feature selection) or 'units' (kernel columns). */
  axis?: Axis;
  /** Project after every batch (default) or after every epoch. */
  every?: 'batch' | 'epoch';
  /** The first epoch (0-based, as tfjs counts them) whose batches or end are projected. Default 0. */
  startEpoch?: number;
  /**
   * Keep removed groups removed: after every batch, the groups that were zero
   * when training began or that a projection zeroed are set to zero again
   * (before the projection, when one runs after that batch). Default false.
   */
  freezeZeros?: boolean;
}

export const CALLBACK_KEYS = ['layer', 'layers', 'projection', 'eta', 'keep', 'axis', 'every', 'startEpoch', 'freezeZeros'] as const;

/** The callback: pass it in `callbacks` of model.fit or model.fitDataset. */
export interface ProjectionCallback extends Callback {
  /** The latest projection of each layer, in the order of opts.layers (empty until one has run). */
  readonly last: ReadonlyArray<LayerProjectionResult & { layer: string }>;
  /** How many times the layers have been projected so far. */
  readonly projections: number;
}

interface Config {
  targets: ReadonlyArray<LayerLike | string> | undefined;
  spec: ProjectionSpec | undefined;
  groups: Groups;
  every: 'batch' | 'epoch';
  startEpoch: number;
  freezeZeros: boolean;
}

function checkConfig(opts: unknown): Config {
  const o = check.options(opts, CALLBACK_KEYS);
  check.exclusive(o.layer, o.layers, 'opts.layer', 'opts.layers');
  let targets: Array<LayerLike | string> | undefined;
  if (o.layer !== undefined) targets = [target(o.layer, 'opts.layer')];
  else if (o.layers !== undefined) {
    if (!Array.isArray(o.layers)) throw invalidType('opts.layers', 'an array of Dense layers or layer names', o.layers);
    if (o.layers.length === 0) throw invalidValue('opts.layers', 'a non-empty array', o.layers);
    targets = o.layers.map((l, i) => target(l, `opts.layers[${i}]`));
  }
  const every = o.every === undefined ? 'batch' : check.oneOf(o.every, ['batch', 'epoch'] as const, 'opts.every');
  const startEpoch = o.startEpoch === undefined ? 0 : check.integer(o.startEpoch, 'opts.startEpoch', 0);
  const freezeZeros = o.freezeZeros === undefined ? false : check.boolean(o.freezeZeros, 'opts.freezeZeros');
  const spec = checkSpec(o, 'opts', freezeZeros);
  const axis = o.axis === undefined ? 'inputs' : (o.axis as Axis);
  return { targets, spec, groups: groupsOf(axis), every, startEpoch, freezeZeros };
}

function target(v: unknown, name: string): LayerLike | string {
  if (typeof v === 'string') return check.string(v, name, true);
  return checkDenseClass(v, name);
}

/** The Dense layers to project, found when training begins (names need the model). */
function resolve(targets: Config['targets'], model: LayersModel | undefined): DenseKernel[] {
  if (targets === undefined) {
    const first = model?.layers.find((l) => l.getClassName() === 'Dense');
    if (!first) throw argumentError('opts.layer was not given and the model has no Dense layer to project: pass opts.layer', 'type');
    return [denseKernel(first, "opts.layer (the model's first Dense layer)")];
  }
  return targets.map((t, i) => {
    const name = targets.length === 1 ? 'opts.layer' : `opts.layers[${i}]`;
    if (typeof t !== 'string') return denseKernel(t, name);
    const found = model?.layers.find((l) => l.name === t);
    if (!found) throw argumentError(`${name} names the layer '${t}', which the model being trained does not have`);
    return denseKernel(found, name);
  });
}

/** 1 for each group that is entirely zero now. */
function zeroMask(k: DenseKernel, groups: Groups): Uint8Array {
  const m = readKernel(k);
  const mask = new Uint8Array(groups === 'rows' ? k.rows : k.cols).fill(1);
  for (const g of nonzeroGroups(m, groups)) mask[g] = 0;
  return mask;
}

export function makeProjectionCallback(tf: Tf) {
  class Projector extends tf.Callback implements ProjectionCallback {
    last: Array<LayerProjectionResult & { layer: string }> = [];
    projections = 0;
    private kernels: DenseKernel[] = [];
    private frozen: Array<Uint8Array | undefined> = [];
    private epoch = 0;

    constructor(private readonly cfg: Config) {
      super();
    }

    override async onTrainBegin(): Promise<void> {
      this.kernels = resolve(this.cfg.targets, this.model);
      this.frozen = this.kernels.map((k) => (this.cfg.freezeZeros ? zeroMask(k, this.cfg.groups) : undefined));
      this.last = [];
    }

    override async onEpochBegin(epoch: number): Promise<void> {
      this.epoch = epoch;
    }

    override async onBatchEnd(): Promise<void> {
      const project = this.cfg.every === 'batch' && this.epoch >= this.cfg.startEpoch;
      this.run(project);
    }

    override async onEpochEnd(epoch: number): Promise<void> {
      if (this.cfg.every === 'epoch' && epoch >= this.cfg.startEpoch) this.run(true);
    }

    private run(project: boolean): void {
      const spec = project ? this.cfg.spec : undefined;
      for (let i = 0; i < this.kernels.length; i++) {
        const frozen = this.frozen[i];
        const masking = frozen?.includes(1) === true;
        if (!spec && !masking) continue;
        const k = this.kernels[i];
        const r = projectKernel(tf, k, spec, this.cfg.groups, masking ? frozen : undefined);
        if (!spec) continue;
        this.last[i] = { ...r, layer: k.layer.name };
        if (frozen) {
          frozen.fill(1);
          for (const g of r.kept) frozen[g] = 0;
        }
      }
      if (spec) this.projections++;
    }
  }

  /**
   * A tfjs callback that projects Dense kernels during model.fit /
   * fitDataset: after every batch (or epoch) from opts.startEpoch on, and,
   * with opts.freezeZeros, keeps the removed groups at zero after every batch.
   */
  return function projectionCallback(opts: ProjectionCallbackOptions): ProjectionCallback {
    return new Projector(checkConfig(opts));
  };
}
