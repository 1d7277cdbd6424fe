import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tenants')
export class TenantEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Overrides the service-wide events-per-second limit when set. */
  @Column({ name: 'rate_limit_per_s', type: 'integer', nullable: true })
  rateLimitPerS!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** What a request carries once its API key is known. */
export interface Tenant {
  id: string;
  slug: string;
  rateLimitPerS: number | null;
}
