export * from './bootstrap';
export * from './config/durations';
export * from './config/load-config';
export * from './http/problem';
export * from './http/problem-details.filter';
export * from './service.module';
