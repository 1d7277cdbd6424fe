import './instrument';
import { orderAnalysis, runStageService } from '@refinery/enrichment';

runStageService(orderAnalysis, {
  defaultPort: 3001,
  description:
    'Finds the problems in each order and delivery exception: the first enrichment stage.',
});
