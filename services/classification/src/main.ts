import './instrument';
import { runStageService } from '@refinery/enrichment';
import { classification } from './classification.stage';
import { migrations } from './data-source';

runStageService(classification, {
  defaultPort: 3002,
  migrations,
  description:
    'Labels each record that has a problem, with a calibrated confidence and the features behind it: the second enrichment stage.',
});
