export { EXPORT_FORMATS, type ExportExample, type ExportFormat } from './export-example';
export {
  checkRatios,
  DEFAULT_RATIOS,
  labelOf,
  SPLIT_NAMES,
  SplitAssigner,
  splitOf,
  type SplitName,
  type SplitRatios,
} from './splits';
export { writeExport, type ExportFile, type ExportOptions } from './write-export';
