import './instrument';
import { resolution, runStageService } from '@refinery/enrichment';

runStageService(resolution, {
  defaultPort: 3003,
  description:
    'Chooses the action for each confidently classified record and publishes enrichment.completed: the last enrichment stage.',
});
