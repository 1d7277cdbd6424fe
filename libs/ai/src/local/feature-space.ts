import { fnv1a } from './hashing';

const HASH_CACHE_SIZE = 100_000;

/** One encoded record: each entry keeps the name it came from, for explanations. */
export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
  names: string[];
}

/** What a feature space needs to encode and name columns the same way in another process. */
export interface FeatureSpaceSnapshot {
  fixed: string[];
  hashBits: number;
  /** `[column, name]` pairs, by column. */
  seen: [number, string][];
}

/**
 * Maps named features to columns. Known structured names get a column of their own; open
 * vocabularies (tokens, reported kinds, crosses) are hashed with a sign bit, so collisions
 * cancel out on average instead of adding up, and the model size stays fixed.
 */
export class FeatureSpace {
  readonly dims: number;
  private readonly fixed: Map<string, number>;
  private readonly hashMask: number;
  /** Column -> first name seen there in training, for reading weights back. */
  private readonly seen = new Map<number, string>();
  /**
   * Name -> signed column (+/-(column + 1)) of hashed names. Tokens and crosses repeat from
   * record to record, and a map lookup is cheaper than hashing the name again.
   */
  private readonly hashed = new Map<string, number>();

  constructor(
    fixedNames: readonly string[],
    readonly hashBits: number,
  ) {
    this.fixed = new Map(fixedNames.map((name, i) => [name, i]));
    this.hashMask = (1 << hashBits) - 1;
    this.dims = fixedNames.length + (1 << hashBits);
  }

  static from(snapshot: FeatureSpaceSnapshot): FeatureSpace {
    const space = new FeatureSpace(snapshot.fixed, snapshot.hashBits);
    for (const [column, name] of snapshot.seen) space.seen.set(column, name);
    return space;
  }

  /** Sorted, so the same space always gives the same snapshot whatever order it trained in. */
  snapshot(): FeatureSpaceSnapshot {
    return {
      fixed: [...this.fixed.keys()],
      hashBits: this.hashBits,
      seen: [...this.seen].sort(([a], [b]) => a - b),
    };
  }

  encode(features: ReadonlyMap<string, number>): SparseVector {
    const indices = new Int32Array(features.size);
    const values = new Float64Array(features.size);
    const names: string[] = [];
    let i = 0;
    for (const [name, value] of features) {
      const slot = this.fixed.get(name);
      if (slot !== undefined) {
        indices[i] = slot;
        values[i] = value;
      } else {
        const signed = this.hashed.get(name) ?? this.hash(name);
        indices[i] = Math.abs(signed) - 1;
        values[i] = signed < 0 ? -value : value;
      }
      names.push(name);
      i++;
    }
    return { indices, values, names };
  }

  private hash(name: string): number {
    const hash = fnv1a(name);
    const column = this.fixed.size + (hash & this.hashMask) + 1;
    const signed = hash & 0x80000000 ? -column : column;
    // Bounded: open vocabularies grow without end in a long-running service.
    if (this.hashed.size >= HASH_CACHE_SIZE) this.hashed.clear();
    this.hashed.set(name, signed);
    return signed;
  }

  /** Remembers which names land in which column; call on training vectors only. */
  observe(vector: SparseVector): void {
    for (let i = 0; i < vector.indices.length; i++) {
      const column = vector.indices[i];
      if (column >= this.fixed.size && !this.seen.has(column))
        this.seen.set(column, vector.names[i]);
    }
  }

  /** The readable name of a column, with the sign its hashing applied. */
  nameOf(column: number): { name: string; sign: number } {
    for (const [name, slot] of this.fixed) if (slot === column) return { name, sign: 1 };
    const name = this.seen.get(column);
    if (name === undefined) return { name: `hash:${column - this.fixed.size}`, sign: 1 };
    return { name, sign: fnv1a(name) & 0x80000000 ? -1 : 1 };
  }
}
