#!/usr/bin/env python3
"""Reads a TFRecord file of tf.train.Example records without TensorFlow.

Checks every record's length CRC and data CRC (masked CRC-32C), decodes each Example and prints
its features as one JSON object per line: {"name": {"bytes": [...]} | {"float": [...]} |
{"int64": [...]}}, bytes decoded as UTF-8. On a bad CRC or a malformed record it prints the problem
to stderr and exits with status 1.

Usage: read_tfrecord.py FILE
"""

import json
import struct
import sys


def crc32c(data):
    """Bit by bit, nothing shared with the writer's table-driven code."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


class Malformed(Exception):
    pass


def varint(data, pos):
    result = shift = 0
    while True:
        if pos >= len(data):
            raise Malformed("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data):
    """Yields (field number, wire type, value) of one message: bytes for wire type 2."""
    pos = 0
    while pos < len(data):
        key, pos = varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            size, pos = varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise Malformed("unsupported wire type %d" % wire)
        if pos > len(data):
            raise Malformed("field %d runs past the end of its message" % number)
        yield number, wire, value


def decode_list(kind, data):
    values = []
    for number, wire, value in fields(data):
        if number != 1:
            continue
        if kind == "bytes":
            values.append(value.decode("utf-8"))
        elif kind == "float":
            # packed (wire type 2) or a single fixed32 (5): both are little-endian float32s
            values.extend(v for (v,) in struct.iter_unpack("<f", value))
        else:
            if wire == 2:
                pos = 0
                while pos < len(value):
                    v, pos = varint(value, pos)
                    values.append(v - (1 << 64) if v >= 1 << 63 else v)
            else:
                values.append(value - (1 << 64) if value >= 1 << 63 else value)
    return values


KINDS = {1: "bytes", 2: "float", 3: "int64"}


def decode_feature(data):
    feature = {}
    for number, _, value in fields(data):
        if number in KINDS:
            feature = {KINDS[number]: decode_list(KINDS[number], value)}
    return feature


def decode_example(data):
    features = {}
    for number, _, value in fields(data):  # Example.features = 1
        if number != 1:
            continue
        for entry_number, _, entry in fields(value):  # Features.feature = 1 (map entries)
            if entry_number != 1:
                continue
            key, feature = "", {}
            for n, _, v in fields(entry):
                if n == 1:
                    key = v.decode("utf-8")
                elif n == 2:
                    feature = decode_feature(v)
            features[key] = feature
    return features


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    pos = index = 0
    while pos < len(data):
        if pos + 12 > len(data):
            raise Malformed("record %d: truncated header at byte %d" % (index, pos))
        header = data[pos : pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8 : pos + 12])
        if masked(header) != length_crc:
            raise Malformed("record %d: length CRC mismatch at byte %d" % (index, pos))
        start = pos + 12
        end = start + length
        if end + 4 > len(data):
            raise Malformed("record %d: truncated data at byte %d" % (index, start))
        record = data[start:end]
        (data_crc,) = struct.unpack("<I", data[end : end + 4])
        if masked(record) != data_crc:
            raise Malformed("record %d: data CRC mismatch at byte %d" % (index, start))
        yield decode_example(record)
        pos = end + 4
        index += 1


def main():
    try:
        for features in read(sys.argv[1]):
            sys.stdout.write(json.dumps(features) + "\n")
    except (Malformed, UnicodeDecodeError, struct.error) as error:
        sys.stderr.write("invalid TFRecord: %s\n" % error)
        sys.exit(1)


if __name__ == "__main__":
    main()
