export * from './health/health-registry';
