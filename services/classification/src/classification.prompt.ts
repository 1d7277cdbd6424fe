import { AI_LABELS } from '@refinery/contracts';

/** What an OpenAI-compatible model is told to do; the provider adds the record and answer shapes. */
export const classificationPrompt =
  'choose the single label that best describes the record, given the ' +
  `record and the problems an earlier analysis found. Allowed labels: ${AI_LABELS.join(', ')}. ` +
  'Explain with up to 5 features (short snake_case names of fields or phrases in the record), ' +
  'strongest first, each with a signed weight: positive supports the label, negative argues ' +
  'against it.';
