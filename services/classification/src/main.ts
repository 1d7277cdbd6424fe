import './instrument';
import { classification, runStageService } from '@refinery/enrichment';

runStageService(classification, {
  defaultPort: 3002,
  description:
    'Labels each record that has a problem, with a calibrated confidence and the features behind it: the second enrichment stage.',
});
