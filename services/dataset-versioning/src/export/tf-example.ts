/**
 * A `tf.train.Example` protobuf, encoded by hand:
 *   Example { Features features = 1; }
 *   Features { map<string, Feature> feature = 1; }   (an entry: { string key = 1; Feature value = 2; })
 *   Feature { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
 *   BytesList { repeated bytes value = 1; }   FloatList { repeated float value = 1 [packed = true]; }
 * Every message nested here is length-delimited (wire type 2), so a tag is one byte: field << 3 | 2.
 */

/** A feature's one value: text as a bytes_list of its UTF-8, a number as a float_list (float32). */
export type FeatureValue = string | number;

const FIELD_1 = 0x0a;
const FIELD_2 = 0x12;

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** Size of a length-delimited field holding `size` bytes, tag included. */
function fieldSize(size: number): number {
  return 1 + varintSize(size) + size;
}

class Output {
  offset = 0;
  constructor(readonly buffer: Buffer) {}

  field(tag: number, size: number): void {
    this.buffer[this.offset++] = tag;
    while (size >= 0x80) {
      this.buffer[this.offset++] = (size & 0x7f) | 0x80;
      size = Math.floor(size / 0x80);
    }
    this.buffer[this.offset++] = size;
  }

  bytes(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
  }
}

interface Encoded {
  key: Buffer;
  value: Buffer | number;
  /** Sizes of the Feature message and of the map entry holding it. */
  feature: number;
  entry: number;
}

function measure(key: string, value: FeatureValue): Encoded {
  const keyBytes = Buffer.from(key, 'utf8');
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : null;
  const list = bytes ? fieldSize(bytes.length) : fieldSize(4);
  const feature = fieldSize(list);
  const entry = fieldSize(keyBytes.length) + fieldSize(feature);
  return { key: keyBytes, value: bytes ?? (value as number), feature, entry };
}

/** The serialized Example; map entries in the order given. */
export function encodeExample(features: [key: string, value: FeatureValue][]): Buffer {
  const encoded = features.map(([key, value]) => measure(key, value));
  const featuresSize = encoded.reduce((sum, e) => sum + fieldSize(e.entry), 0);
  const out = new Output(Buffer.allocUnsafe(fieldSize(featuresSize)));
  out.field(FIELD_1, featuresSize); // Example.features
  for (const e of encoded) {
    out.field(FIELD_1, e.entry); // Features.feature, one map entry
    out.field(FIELD_1, e.key.length); // the entry's key
    out.bytes(e.key);
    out.field(FIELD_2, e.feature); // the entry's value, a Feature
    if (typeof e.value === 'number') {
      out.field(FIELD_2, fieldSize(4)); // Feature.float_list
      out.field(FIELD_1, 4); // FloatList.value, packed
      out.buffer.writeFloatLE(e.value, out.offset);
      out.offset += 4;
    } else {
      out.field(FIELD_1, fieldSize(e.value.length)); // Feature.bytes_list
      out.field(FIELD_1, e.value.length); // BytesList.value
      out.bytes(e.value);
    }
  }
  return out.buffer;
}
