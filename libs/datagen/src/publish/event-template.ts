import type { CompiledNode, RowContext, ValueOf } from '../generate/model';
import { readerOf } from '../generate/read';
import type { PublishSpec } from '../schema';

/** What datagen sends to ingestion: an event in its envelope, `source` naming datagen. */
export interface GeneratedEvent {
  type: string;
  source: string;
  external_id: string;
  occurred_at: string;
  data: Record<string, unknown>;
}

type Build = (row: RowContext) => unknown;

export const EVENT_SOURCE = 'refinery-datagen';

/**
 * A behavioural event (`track`, `identify`) as the Segment call /v1/batch takes: the template's
 * data supplies `userId`, `anonymousId`, `event`, `properties`, `traits` and `context`; the
 * envelope the kind, the `messageId` (its external id: a rerun is the same call) and the
 * `timestamp` (its occurred_at), over whatever the data says of those. Segment has no `source`.
 */
export function segmentCallOf(event: GeneratedEvent): Record<string, unknown> {
  return {
    ...event.data,
    type: event.type,
    messageId: event.external_id,
    timestamp: event.occurred_at,
  };
}

/** Compiles a node's publish template into a function from a finished row to its event. */
export function compileEvent(
  node: CompiledNode,
  spec: PublishSpec,
  nodes: Map<string, CompiledNode>,
): (row: RowContext) => GeneratedEvent {
  const externalId = compileValue(spec.external_id, node, nodes);
  const occurredAt = compileValue(spec.occurred_at, node, nodes);
  const data = compileValue(spec.data, node, nodes);
  return (row) => ({
    type: spec.type,
    source: EVENT_SOURCE,
    external_id: String(externalId(row)),
    occurred_at: String(occurredAt(row)),
    data: data(row) as Record<string, unknown>,
  });
}

function compileValue(
  template: unknown,
  node: CompiledNode,
  nodes: Map<string, CompiledNode>,
): Build {
  if (typeof template === 'string' && template.startsWith('$'))
    return columnOf(template.slice(1), node, nodes);
  if (Array.isArray(template)) {
    const items = template.map((item) => compileValue(item, node, nodes));
    return (row) => items.map((item) => item(row));
  }
  if (template !== null && typeof template === 'object') {
    const object = template as Record<string, unknown>;
    if ('$each' in object) return eachOf(object, node, nodes);
    const fields = Object.entries(object).map(
      ([key, value]) => [key, compileValue(value, node, nodes)] as const,
    );
    return (row) => {
      const out: Record<string, unknown> = {};
      for (const [key, build] of fields) {
        const value = build(row);
        // Optional fields are left out rather than sent as null.
        if (value !== null && value !== undefined) out[key] = value;
      }
      return out;
    };
  }
  return () => template;
}

/** A column's value as an event carries it: timestamps as ISO 8601 text. */
function columnOf(name: string, node: CompiledNode, nodes: Map<string, CompiledNode>): Build {
  const read: ValueOf = readerOf(node, name, nodes);
  const [owner, column] = name.includes('.') ? name.split('.', 2) : [node.name, name];
  const target = nodes.get(owner);
  const type = target?.columns[target.columnIndex.get(column) ?? -1]?.output.type;
  if (type !== 'timestamp') return read;
  return (row) => {
    const value = read(row);
    return value === null || value === undefined ? null : new Date(Number(value)).toISOString();
  };
}

function eachOf(
  object: Record<string, unknown>,
  node: CompiledNode,
  nodes: Map<string, CompiledNode>,
): Build {
  const childName = String(object.$each);
  const child = node.children.find((c) => c.name === childName);
  if (!child) throw new Error(`$each: ${childName} is not a child node of ${node.name}`);
  node.keepsChildren.add(childName);
  const item = compileValue(object.as ?? {}, child, nodes);
  return (row) => (row.children?.get(childName) ?? []).map(item);
}
