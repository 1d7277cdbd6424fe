/**
 * The enrichment vocabularies. They are part of the public contract (`enrichment.completed`
 * carries them): add values freely, but DO NOT RENAME or remove one without a migration plan.
 */

export const PROBLEM_CODES = [
  'LATE_SHIPMENT',
  'ADDRESS_INVALID',
  'PAYMENT_MISMATCH',
  'STOCKOUT_RISK',
  'DAMAGE_REPORTED',
  'MISSING_ITEM',
  'CUSTOMER_REQUEST',
  'NONE',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export const AI_LABELS = [
  'DELIVERY_DELAY',
  'ADDRESS_ISSUE',
  'DAMAGED_ITEM',
  'MISSING_ITEM',
  'PAYMENT_ISSUE',
  'INVENTORY_SHORTAGE',
  'CUSTOMER_REQUEST',
  'OTHER',
] as const;
export type AiLabel = (typeof AI_LABELS)[number];

export const ACTIONS = [
  'RESHIP',
  'REFUND',
  'CONTACT_CARRIER',
  'VERIFY_ADDRESS',
  'RESTOCK_ALERT',
  'ESCALATE_HUMAN',
] as const;
export type Action = (typeof ACTIONS)[number];
