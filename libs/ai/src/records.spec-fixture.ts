import type { AiProvider, RecordInput } from './provider';

/** A delivery exception for specs; `payload` adds or replaces fields. */
export const exceptionRecord = (payload: Record<string, unknown> = {}): RecordInput => ({
  recordId: 'r-1',
  tenant: 'acme',
  recordType: 'exception',
  payload: { order_number: 'A-1', description: 'parcel late', ...payload },
});

/** A paid order of two items at 10 EUR to Germany, for specs; `payload` adds or replaces fields. */
export const orderRecord = (payload: Record<string, unknown> = {}): RecordInput => ({
  recordId: 'r-2',
  tenant: 'acme',
  recordType: 'order',
  payload: {
    order_number: 'A-2',
    customer: { id: 'c-1' },
    items: [{ sku: 'S-1', quantity: 2, unit_price: 10 }],
    currency: 'EUR',
    total: 20,
    status: 'paid',
    shipping: { country: 'DE' },
    ...payload,
  },
});

/** All three tasks for one record, each given the answer before it, as the stages ask them. */
export async function enrichWith(provider: AiProvider, record: RecordInput) {
  const analysis = await provider.analyze(record);
  const classification = await provider.classify(record, analysis);
  const resolution = await provider.resolve(record, classification);
  return { analysis, classification, resolution };
}
