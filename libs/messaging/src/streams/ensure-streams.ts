import type { StreamDefinition } from '@refinery/contracts';
import {
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamUpdateConfig,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';

/** Long enough to cover a publisher's retries after a reconnect. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

/** Creates missing streams and brings existing ones to the definition; safe to run on every start. */
export async function ensureStreams(
  nc: NatsConnection,
  definitions: readonly StreamDefinition[],
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const definition of definitions) await ensureStream(jsm, definition);
}

function wantedConfig(
  definition: StreamDefinition,
): Pick<StreamUpdateConfig, 'subjects' | 'description' | 'max_age' | 'duplicate_window'> {
  return {
    subjects: [...definition.subjects],
    description: definition.description,
    max_age: nanos(definition.maxAgeDays * DAY_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
}

async function ensureStream(jsm: JetStreamManager, definition: StreamDefinition): Promise<void> {
  const wanted = wantedConfig(definition);
  const existing = await currentConfig(jsm, definition.name);
  try {
    if (!existing) {
      await jsm.streams.add({ name: definition.name, storage: StorageType.File, ...wanted });
    } else if (differs(existing, wanted)) {
      await jsm.streams.update(definition.name, wanted);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot ${existing ? 'update' : 'create'} stream ${definition.name} (${definition.subjects.join(', ')}): ${reason}`,
      {
        cause: error,
      },
    );
  }
}

async function currentConfig(
  jsm: JetStreamManager,
  name: string,
): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
      return undefined;
    throw error;
  }
}

function differs(current: StreamConfig, wanted: ReturnType<typeof wantedConfig>): boolean {
  const sameSubjects =
    current.subjects.length === wanted.subjects.length &&
    wanted.subjects.every((s) => current.subjects.includes(s));
  return (
    !sameSubjects ||
    (current.description ?? '') !== wanted.description ||
    current.max_age !== wanted.max_age ||
    current.duplicate_window !== wanted.duplicate_window
  );
}
