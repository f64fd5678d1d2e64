// bilevel-projection/paper: the paper's experiments. Table I (cumulative
// sparsity) and Figures 3-6; Tables II/III (SAE accuracy) and Figures 7, 9.
export { PAPER_TABLE1, TABLE1_DATASETS, TABLE1_METHODS, TABLE1_RATIOS, formatTable1, linspace, runTable1 } from './table1';
export type { Table1Dataset, Table1Method, Table1Options, Table1Result, Table1Sweep } from './table1';
export { table1Figures, writeTable1Files } from './table1-figures';
export {
  METHOD_LABEL,
  PAPER_TABLES,
  firstFoldWeights,
  formatPaperTables,
  paperData,
  runFigure7,
  runPaperTables,
} from './sae-tables';
export type { Figure7Point, PaperDataset, PaperMethod, PaperRow, PaperRunOptions, PaperTableResult } from './sae-tables';
export { figure7Svg, figure9Svg, type WeightPanel } from './sae-figures';
