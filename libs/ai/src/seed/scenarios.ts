import type { ProblemCode } from '@refinery/contracts';

/**
 * What actually went wrong in a generated record. The text and fields are written from
 * the scenario; the labels are derived from the facts, never from the words chosen.
 */
export type Scenario =
  'damage' | 'missing' | 'delay' | 'address' | 'stockout' | 'payment' | 'request' | 'vague';

export const SCENARIO_PROBLEM: Record<Scenario, ProblemCode | undefined> = {
  damage: 'DAMAGE_REPORTED',
  missing: 'MISSING_ITEM',
  delay: 'LATE_SHIPMENT',
  address: 'ADDRESS_INVALID',
  stockout: 'STOCKOUT_RISK',
  payment: 'PAYMENT_MISMATCH',
  request: 'CUSTOMER_REQUEST',
  vague: undefined,
};

/** Variants that change the right action although the label is the same. */
export const SUBTYPES = {
  missing: ['partial', 'not_received'],
  address: ['incomplete', 'returned'],
  payment: ['overcharged', 'short'],
  request: ['cancel', 'redirect', 'reschedule', 'other'],
} as const;

export type Subtype = (typeof SUBTYPES)[keyof typeof SUBTYPES][number];

/** Second problems that plausibly come with a first one. */
export const COMPANIONS: Record<Scenario, readonly Scenario[]> = {
  damage: ['delay', 'missing', 'stockout'],
  missing: ['delay', 'damage'],
  delay: ['address', 'stockout', 'request', 'damage'],
  address: ['delay', 'request'],
  stockout: ['delay', 'request'],
  payment: ['request', 'delay'],
  request: ['delay', 'payment'],
  vague: ['delay'],
};

export type ReportedBy = 'carrier' | 'customer' | 'warehouse' | 'system';
export type OrderStatus =
  'placed' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'cancelled' | 'returned';

/** The ground truth a labeller would know about one record. */
export interface CaseFacts {
  recordType: 'order' | 'exception';
  /** Problems present, NONE excluded; empty when nothing is wrong. */
  problems: ProblemCode[];
  subtypes: Partial<Record<Scenario, Subtype>>;
  reportedBy?: ReportedBy;
  status?: OrderStatus;
  /** Positive when late; undefined when nobody could tell. */
  daysLate?: number;
  /** Order value in EUR, known for orders only. */
  valueEur?: number;
  wantsRefund: boolean;
  /** The same customer or parcel already had an incident. */
  repeat: boolean;
}

/** A generated payload with the facts it was written from. */
export interface GeneratedRecord {
  payload: Record<string, unknown>;
  facts: CaseFacts;
}
