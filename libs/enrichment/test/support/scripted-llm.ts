import {
  completionReply,
  type ChatRequestBody,
  type FakeOpenAiServer,
  type ScriptedReply,
} from '@refinery/testing';

/** What a sure LLM answers for each task, as the openai provider asks it. */
export const SURE_ANSWERS = {
  analysis: { problems: [{ code: 'LATE_SHIPMENT', confidence: 0.9 }] },
  classification: {
    label: 'DELIVERY_DELAY',
    confidence: 0.93,
    explanation: [{ feature: 'never_arrived', weight: 1.4 }],
  },
  resolution: {
    action: 'CONTACT_CARRIER',
    automatable: true,
    rationale: 'The carrier still holds the parcel.',
    confidence: 0.88,
  },
};
export type Task = keyof typeof SURE_ANSWERS;

/**
 * An LLM behind the chat-completions protocol whose behaviour a test scripts by task and the
 * record's order number: `script` gets the call's number for that pair (from 1) and returns a
 * reply, or nothing for the sure answer. Returns the calls made per `task:order`.
 */
export function scriptedLlm(
  server: FakeOpenAiServer,
  script: (task: Task, order: string, call: number) => ScriptedReply | undefined,
): Map<string, number> {
  const calls = new Map<string, number>();
  server.respondWith((body: ChatRequestBody): ScriptedReply => {
    const task = (body.response_format?.json_schema?.name ?? '') as Task;
    const order: string =
      JSON.parse(body.messages.at(-1)?.content ?? '{}').record?.order_number ?? '';
    const key = `${task}:${order}`;
    const n = (calls.get(key) ?? 0) + 1;
    calls.set(key, n);
    return script(task, order, n) ?? completionReply(SURE_ANSWERS[task]);
  });
  return calls;
}
