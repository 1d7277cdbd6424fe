/** A request's query without the parameters it left out, so their schema defaults apply. */
export const givenParams = (query: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
