import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FieldError } from '@refinery/contracts';

/** An ingest message that could not be accepted, kept with the reason so nothing is dropped silently. */
@Entity('rejections')
export class RejectionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** The tenant token of the subject, as sent; it may name no known tenant. */
  @Column({ type: 'text' })
  tenant!: string;

  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId!: string | null;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'jsonb' })
  errors!: FieldError[];

  /** The message body as received, cut to 64 KiB; NUL and what is not UTF-8 become U+FFFD. */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
