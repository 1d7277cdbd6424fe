import type { Action, AiLabel } from '../provider';

export interface ResolutionEntry {
  action: Action;
  /** Whether the action may run unattended once the label is trusted. */
  automatable: boolean;
  /** How surely the action fixes a record with this label; scales the label's confidence. */
  fit: number;
  why: string;
}

/** Below this classification confidence nothing runs unattended, whatever the table says. */
export const AUTOMATE_MIN_CONFIDENCE = 0.7;

export const RESOLUTION_TABLE: Readonly<Record<AiLabel, ResolutionEntry>> = {
  DELIVERY_DELAY: {
    action: 'CONTACT_CARRIER',
    automatable: true,
    fit: 0.9,
    why: 'the carrier can trace a late parcel',
  },
  ADDRESS_ISSUE: {
    action: 'VERIFY_ADDRESS',
    automatable: true,
    fit: 0.9,
    why: 'the customer confirms or corrects the address',
  },
  DAMAGED_ITEM: {
    action: 'RESHIP',
    automatable: true,
    fit: 0.85,
    why: 'a damaged item is replaced',
  },
  MISSING_ITEM: {
    action: 'RESHIP',
    automatable: false,
    fit: 0.75,
    why: 'a missing item is sent again once the warehouse confirms it was not packed',
  },
  PAYMENT_ISSUE: {
    action: 'ESCALATE_HUMAN',
    automatable: false,
    fit: 0.8,
    why: 'money differences need a person to check the payment',
  },
  INVENTORY_SHORTAGE: {
    action: 'RESTOCK_ALERT',
    automatable: true,
    fit: 0.9,
    why: 'purchasing is alerted to restock',
  },
  CUSTOMER_REQUEST: {
    action: 'ESCALATE_HUMAN',
    automatable: false,
    fit: 0.8,
    why: 'a customer request is answered by a person',
  },
  OTHER: {
    action: 'ESCALATE_HUMAN',
    automatable: false,
    fit: 0.6,
    why: 'no rule knows what to do, so a person decides',
  },
};
