import './instrument';
import { runStageService } from '@refinery/enrichment';
import { orderAnalysis } from './order-analysis.stage';
import { migrations } from './data-source';

runStageService(orderAnalysis, {
  defaultPort: 3001,
  migrations,
  description:
    'Finds the problems in each order and delivery exception: the first enrichment stage.',
});
