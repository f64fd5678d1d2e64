// bilevel-projection/tfjs: sparsify a TensorFlow.js model while it trains.
// Needs the optional peer @tensorflow/tfjs (4.x) or @tensorflow/tfjs-node;
// loading this entry without either throws one line (ERR_BP_MISSING_PEER).
import { makeProjectionCallback } from './callback';
import { makeProjectLayer } from './layer';
import { loadTfjs } from './peer';

const tf = loadTfjs();

export const projectLayer = makeProjectLayer(tf);
export const projectionCallback = makeProjectionCallback(tf);

export type { Axis, LayerLike } from './kernel';
export type { LayerProjection, LayerProjectionResult } from './project';
export type { ProjectLayerOptions } from './layer';
export type { ProjectionCallback, ProjectionCallbackOptions } from './callback';
