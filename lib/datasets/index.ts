// bilevel-projection/datasets: synthetic data for experiments.
export { makeClassification } from './make-classification';
export type { ClassificationData, MakeClassificationOptions } from './make-classification';
