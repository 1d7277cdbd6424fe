import type { Action, AiLabel } from '@refinery/contracts';
import type { CaseFacts } from './scenarios';

/**
 * How an operations team would label and resolve a case, written as rules over the facts.
 * They are deliberately not one keyword per label: priorities, the reporter, lateness and
 * value all move the answer, so a model has to combine signals.
 */
export function labelFor(facts: CaseFacts): AiLabel {
  const has = (code: CaseFacts['problems'][number]) => facts.problems.includes(code);
  if (has('PAYMENT_MISMATCH')) return 'PAYMENT_ISSUE';
  if (has('DAMAGE_REPORTED')) return 'DAMAGED_ITEM';
  if (has('MISSING_ITEM')) return 'MISSING_ITEM';
  // A customer only sees that the parcel is late; the carrier sees why.
  if (has('ADDRESS_INVALID')) {
    return has('LATE_SHIPMENT') && facts.reportedBy === 'customer'
      ? 'DELIVERY_DELAY'
      : 'ADDRESS_ISSUE';
  }
  if (has('STOCKOUT_RISK')) return 'INVENTORY_SHORTAGE';
  if (has('LATE_SHIPMENT')) return 'DELIVERY_DELAY';
  if (has('CUSTOMER_REQUEST')) return 'CUSTOMER_REQUEST';
  return 'OTHER';
}

const HIGH_VALUE_EUR = 1000;

export function actionFor(facts: CaseFacts, label: AiLabel): Action {
  // Nothing to fix, or something nobody can name: a person looks at it.
  if (label === 'OTHER' || facts.repeat) return 'ESCALATE_HUMAN';
  const action = baseAction(facts, label);
  const costly = action === 'REFUND' || action === 'RESHIP';
  if (costly && facts.valueEur !== undefined && facts.valueEur >= HIGH_VALUE_EUR) {
    return 'ESCALATE_HUMAN';
  }
  return action;
}

function baseAction(facts: CaseFacts, label: AiLabel): Action {
  const late = facts.daysLate ?? 0;
  switch (label) {
    case 'DAMAGED_ITEM':
      return facts.status === 'returned' ||
        facts.wantsRefund ||
        facts.problems.includes('STOCKOUT_RISK')
        ? 'REFUND'
        : 'RESHIP';
    case 'MISSING_ITEM':
      if (facts.subtypes.missing === 'not_received') return 'CONTACT_CARRIER';
      return facts.wantsRefund ? 'REFUND' : 'RESHIP';
    case 'DELIVERY_DELAY':
      // Late before it reached the carrier: the warehouse is stuck, not the parcel.
      if (facts.status === 'placed' || facts.status === 'paid' || facts.status === 'fulfilled') {
        return 'ESCALATE_HUMAN';
      }
      if (late >= 12) return facts.wantsRefund ? 'REFUND' : 'RESHIP';
      return facts.wantsRefund && late >= 5 ? 'REFUND' : 'CONTACT_CARRIER';
    case 'ADDRESS_ISSUE':
      return 'VERIFY_ADDRESS';
    case 'PAYMENT_ISSUE':
      return facts.subtypes.payment === 'short' ? 'ESCALATE_HUMAN' : 'REFUND';
    case 'INVENTORY_SHORTAGE':
      return facts.wantsRefund ? 'REFUND' : 'RESTOCK_ALERT';
    case 'CUSTOMER_REQUEST':
      switch (facts.subtypes.request) {
        case 'cancel':
          return facts.status === 'shipped' ? 'CONTACT_CARRIER' : 'REFUND';
        case 'redirect':
          return 'VERIFY_ADDRESS';
        case 'reschedule':
          return 'CONTACT_CARRIER';
        default:
          return 'ESCALATE_HUMAN';
      }
    default:
      return 'ESCALATE_HUMAN';
  }
}

/** Cheap, reversible actions run on their own; money and unverified claims need a person. */
export function automatableFor(facts: CaseFacts, action: Action): boolean {
  switch (action) {
    case 'CONTACT_CARRIER':
    case 'VERIFY_ADDRESS':
    case 'RESTOCK_ALERT':
      return true;
    case 'REFUND':
      return facts.valueEur !== undefined ? facts.valueEur < 150 : facts.reportedBy !== 'customer';
    case 'RESHIP':
      return facts.valueEur !== undefined
        ? facts.valueEur < 400
        : facts.reportedBy !== undefined && facts.reportedBy !== 'customer';
    default:
      return false;
  }
}
