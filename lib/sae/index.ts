// bilevel-projection/sae: feature selection with the sparse supervised
// autoencoder of the paper (section V.C), and what it needs to read tables.
export { selectFeatures, encodeLabels, type SelectFeaturesOptions } from './select-features';
export { SAE_DEFAULTS, SAE_PROJECTIONS, type SaeOptions, type SaeProgress, type SaeProjection } from './options';
export type { SelectFeaturesResult, AccuracySummary, FoldSummary, Recall } from './summary';
export { kFold, type Fold } from './kfold';
export { preprocess, type PreprocessOptions, type Preprocessed } from './preprocess';
export { CsvError, loadLabelledCsv, parseLabelledCsv, type CsvLayout, type CsvOptions, type LabelledData, type MissingPolicy } from '../io/csv';
export { featuresCsv, foldsCsv, formatReport, resultToJson, type ReportContext } from './report';
export { fitSae } from './fit';
export { loadSaeModel, ModelError } from './load';
export { classificationMetrics, type ClassificationMetrics } from './metrics';
export type { EpochSelection, FitSaeOptions, Label, RankedFeature, SaeModel, SaeModelJson } from './model';
