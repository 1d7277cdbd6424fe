import './instrument';
import { runStageService } from '@refinery/enrichment';
import { resolution } from './resolution.stage';
import { migrations } from './data-source';

runStageService(resolution, {
  defaultPort: 3003,
  migrations,
  description:
    'Chooses the action for each confidently classified record and publishes enrichment.completed: the last enrichment stage.',
});
