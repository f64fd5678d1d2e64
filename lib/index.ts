/**
 * bilevel-projection: structured sparsity for TypeScript. Projections of a
 * row-major matrix onto mixed-norm balls (the bilevel l1,inf / l1,1 / l1,2
 * projections of Barlaud, Perez and Marmorat, and the exact l1,inf
 * projection), computed in place on the caller's memory by a C++17 kernel.
 *
 * This entry holds the projections and nothing else. The applications are
 * beside it: 'bilevel-projection/sae' (feature selection), '/datasets'
 * (make_classification), '/paper' (the paper's experiments), '/tfjs'.
 */
export type {
  ExactMethod,
  ExactOptions,
  FloatArray,
  Groups,
  Matrix,
  NormKind,
  NormOptions,
  ProjectOptions,
  Projection,
} from './types';
export {
  DEFAULT_EXACT_METHOD,
  EXACT_METHODS,
  getThreadCount,
  setThreadCount,
  bilevelL11,
  bilevelL12,
  bilevelL1Inf,
  norm,
  projectL1Ball,
  projectL1Inf,
  proxLInf1,
} from './projections';
export {
  bilevelL11Async,
  bilevelL12Async,
  bilevelL1InfAsync,
  projectL1InfAsync,
  proxLInf1Async,
  type AsyncOptions,
} from './async';
export { ERROR_CODES, type CodedError, type ErrorCode } from './errors';
export { radiusForKeep, KEEP_PROJECTIONS, type KeepProjection, type RadiusForKeepOptions } from './radius-for-keep';
