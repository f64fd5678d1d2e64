/**
 * bilevel-projection: structured sparsity for TypeScript. Projections of a
 * row-major matrix onto mixed-norm balls (the bilevel l1,inf / l1,1 / l1,2
 * projections of Barlaud, Perez and Marmorat, and the exact l1,inf
 * projection), computed in place on the caller's memory by a C++17 kernel.
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

// The paper's experiments.
export { makeClassification } from './datasets/make-classification';
export type { ClassificationData, MakeClassificationOptions } from './datasets/make-classification';
export { PAPER_TABLE1, TABLE1_DATASETS, TABLE1_RATIOS, formatTable1, runTable1 } from './paper/table1';
export type { Table1Dataset, Table1Method, Table1Options, Table1Result, Table1Sweep } from './paper/table1';

// Feature selection with a sparse supervised autoencoder (the paper's application).
export {
  CsvError,
  SAE_DEFAULTS,
  SAE_PROJECTIONS,
  featuresCsv,
  foldsCsv,
  formatReport,
  kFold,
  loadLabelledCsv,
  parseLabelledCsv,
  preprocess,
  resultToJson,
  selectFeatures,
} from './sae';
export type {
  AccuracySummary,
  CsvLayout,
  CsvOptions,
  Fold,
  FoldSummary,
  LabelledData,
  Recall,
  SaeOptions,
  SaeProgress,
  SaeProjection,
  SelectFeaturesOptions,
  SelectFeaturesResult,
} from './sae';
