export * from './eventually';
export * from './api-call';
export * from './free-port';
export * from './nats-server';
export * from './postgres-cluster';
export * from './nats-cluster';
export * from './stream-counts';
export * from './stored-messages';
export * from './unique-name';
export * from './fake-openai-server';
export * from './test-tenants';
export * from './http-routes';
export * from './hostile-bodies';
export * from './hostile-http';
export * from './stage-work';
export * from './service-process';
export * from './tenant-consumers';
export * from './scratch-schema';
export * from './chromium';
export { Bus, completedException, receivedTranscript } from './bus';
export {
  adminClient,
  benchLog,
  freshServicesDatabase,
  machine,
  median,
  timed,
} from './bench-database';
