#!/usr/bin/env python3
"""Interop check, client side: a standard gRPC client from another stack (Debian's python3-grpcio,
C-core) runs Flight Handshake + DoGet against Duet's Flight service, decodes FlightData with
protobuf wire rules, checks each data_body against numpy's bytes of the same tensor, and writes
the stream as an Arrow IPC stream file (continuation, length, padded data_header, data_body),
which is exactly how Arrow's own Flight clients turn FlightData back into IPC messages.
Usage: flight_doget.py PORT TICKET_HEX OUT_FILE"""
import struct
import sys

import grpc
import numpy as np


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def fields(buf):
    i, out = 0, {}
    while i < len(buf):
        key, i = varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 2:
            n, i = varint(buf, i)
            out[num] = buf[i:i + n]
            i += n
        elif wire == 0:
            out[num], i = varint(buf, i)
        else:
            raise ValueError("unexpected wire type %d" % wire)
    return out


def bytes_field(num, value):
    def enc_varint(n):
        out = b""
        while n >= 0x80:
            out += bytes([(n & 0x7F) | 0x80])
            n >>= 7
        return out + bytes([n])
    return enc_varint(num << 3 | 2) + enc_varint(len(value)) + value


def main():
    port, ticket, out = sys.argv[1], bytes.fromhex(sys.argv[2]), sys.argv[3]
    channel = grpc.insecure_channel("127.0.0.1:" + port)
    svc = "/arrow.flight.protocol.FlightService/"
    handshake = channel.stream_stream(svc + "Handshake")
    req = b"\x08\x01" + bytes_field(2, b"anything")  # protocol_version=1, payload
    token = fields(next(iter(handshake(iter([req])))))[2].decode()
    doget = channel.unary_stream(svc + "DoGet")
    expected = np.arange(12, dtype="<f8").tobytes()
    stream, body_bytes, n = b"", b"", 0
    for msg in doget(bytes_field(1, ticket), metadata=[("authorization", "Bearer " + token)]):
        f = fields(msg)
        header, body = f.get(2, b""), f.get(1000, b"")
        pad = (-len(header)) % 8
        stream += struct.pack("<iI", -1, len(header) + pad) + header + b"\0" * pad + body
        body_bytes += body
        n += 1
    stream += struct.pack("<iI", -1, 0)
    with open(out, "wb") as fh:
        fh.write(stream)
    assert n == 1 + 2, "expected a schema and two record batches, got %d messages" % n
    assert body_bytes == expected, "data_body bytes differ from numpy's float64 arange(12)"
    print("python3-grpcio %s: %d FlightData messages, bodies == numpy arange(12) float64, IPC stream %d bytes -> %s"
          % (grpc.__version__, n, len(stream), out))


if __name__ == "__main__":
    main()
