export * from './bootstrap';
export * from './config/durations';
export * from './config/load-config';
export * from './config/nats-credentials';
export * from './http/problem';
export * from './http/problem-details.filter';
export * from './service.module';
export * from './auth';
