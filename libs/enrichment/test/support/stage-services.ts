import { connect } from '@nats-io/transport-node';
import { STAGES } from '@refinery/contracts';
import { deleteTenantConsumers, startServiceProcesses, uniqueName } from '@refinery/testing';
import { pipelineEnv, type PipelineOptions } from './pipeline';
import { pipelineClient } from './pipeline-client';

/**
 * The three stage services as the platform runs them, each its own process from the build,
 * consuming one fresh tenant only: the twin of startPipeline for tests of several services.
 */
export async function startStageServices(options: Pick<PipelineOptions, 'env' | 'llm'> = {}) {
  const tenant = uniqueName('enr').replace('_', '-');
  const services = await startServiceProcesses(STAGES, pipelineEnv(tenant, options));
  const nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
  return {
    ...pipelineClient(nc, tenant),
    services,
    async close() {
      await Promise.all(services.map((s) => s.stop()));
      await deleteTenantConsumers(nc, tenant);
      await nc.close();
    },
  };
}

export type StageServices = Awaited<ReturnType<typeof startStageServices>>;
