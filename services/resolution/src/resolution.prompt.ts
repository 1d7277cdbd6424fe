import { ACTIONS } from '@refinery/contracts';

/** What an OpenAI-compatible model is told to do; the provider adds the record and answer shapes. */
export const resolutionPrompt =
  'choose the next action for the record, given the record and its ' +
  `classification. Allowed actions: ${ACTIONS.join(', ')}. Set automatable to true only when the ` +
  'action can safely run without a person reviewing it. Give a one-sentence rationale.';
