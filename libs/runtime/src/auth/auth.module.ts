import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AUTH_CONFIG, type AuthConfig } from './auth-config';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { FailureThrottle } from './failure-throttle';

/** API keys with scopes and the operator key, checked on every HTTP route of the service. */
@Global()
@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        {
          provide: FailureThrottle,
          useValue: new FailureThrottle(config.AUTH_FAILURE_LIMIT, config.AUTH_FAILURE_WINDOW),
        },
        Authenticator,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AUTH_CONFIG, Authenticator],
    };
  }
}
