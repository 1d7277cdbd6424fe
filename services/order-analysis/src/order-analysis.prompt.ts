import { PROBLEM_CODES } from '@refinery/contracts';

/** What an OpenAI-compatible model is told to do; the provider adds the record and answer shapes. */
export const orderAnalysisPrompt =
  'list every problem the record shows, each with a confidence. ' +
  `Allowed codes: ${PROBLEM_CODES.join(', ')}. When nothing is wrong, answer with a single NONE ` +
  'entry; never combine NONE with another code.';
