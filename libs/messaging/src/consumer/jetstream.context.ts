import { BaseRpcContext } from '@nestjs/microservices';
import type { InboundMessage } from './inbound-message';

/** What `@Ctx()` gives a JetStream handler: its consumer and the messages it is handling. */
export class JetStreamContext extends BaseRpcContext<[string, InboundMessage[]]> {
  getConsumer(): string {
    return this.args[0];
  }

  getMessages(): InboundMessage[] {
    return this.args[1];
  }
}
