import { entitiesOf } from './entities';
import { sentimentOf } from './sentiment';

describe('sentimentOf', () => {
  it.each([
    ['Thanks, that was quick and really helpful!', 'positive'],
    ['My parcel is late again and the box arrived damaged. Unacceptable.', 'negative'],
    ['I am not happy with this delivery.', 'negative'],
    ['Can you tell me when the order ships?', 'neutral'],
    ['The agent was great but the parcel is still missing and I am upset.', 'mixed'],
  ])('%s -> %s', (text, sentiment) => {
    expect(sentimentOf(text).sentiment).toBe(sentiment);
  });
});

describe('entitiesOf', () => {
  it('finds orders, tracking numbers, carriers, amounts and dates', () => {
    const entities = entitiesOf(
      'Order ORD-00012345 went with DHL, tracking TRK-ABC12345, I paid €49.90 on 2025-03-14 and 30 EUR on 12 March for royal mail.',
      'ORD-00012345',
    );
    expect(entities).toEqual({
      order_numbers: ['ORD-00012345'],
      tracking_numbers: ['TRK-ABC12345'],
      carriers: ['DHL', 'Royal Mail'],
      amounts: [
        { value: 49.9, currency: 'EUR' },
        { value: 30, currency: 'EUR' },
      ],
      dates: ['2025-03-14', '12 March'],
    });
  });
});
