import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A record exactly as it was received; enrichment results live in the stages' schemas. */
@Entity('records')
export class RecordEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'external_id', type: 'text' })
  externalId!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'text' })
  via!: 'http' | 'nats';

  @Column({ type: 'json' })
  data!: Record<string, unknown>;
}
