import { describe, expect, it } from "vitest";

import { DeliveryFrameReader, DeliveryFrameWriter, MalformedDeliveryFrame } from "./delivery-frame.js";
import type { DeliverableEvent } from "./delivery-frame.js";

const event = (offset: number, extra: Partial<DeliverableEvent> = {}): DeliverableEvent => ({
  offset,
  id: `id-${offset}`,
  data: JSON.stringify({ offset }),
  mimetype: "application/json",
  typeName: null,
  typeVersion: null,
  metadata: null,
  createdAt: 1_790_000_000_000 + offset,
  ...extra,
});

function readAll(frame: Buffer): Record<string, unknown>[] {
  const reader = new DeliveryFrameReader(frame);
  const records: Record<string, unknown>[] = [];
  while (reader.next())
    records.push({
      subscription: reader.subscription,
      offset: reader.offset,
      id: reader.id,
      mimetype: reader.mimetype,
      typeName: reader.typeName,
      typeVersion: reader.typeVersion,
      metadata: reader.metadata,
      createdAt: reader.createdAt,
      deliveryCount: reader.deliveryCount,
      payload: Buffer.from(frame.subarray(reader.payloadStart, reader.payloadEnd)),
    });
  return records;
}

describe("delivery frames", () => {
  it("carry every field and the payload bytes exactly, for text and binary payloads", () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const text = 'naïve 😀 "quoted" \\ \u0000 end';
    const writer = new DeliveryFrameWriter(7);
    writer.add(event(1), 1);
    writer.add(event(2, { data: text, mimetype: "text/plain; charset=utf-8" }), 2);
    writer.add(
      event(3, { data: bytes, mimetype: "application/octet-stream", typeName: "t.ü", typeVersion: 2 ** 40 }),
      3,
    );
    writer.add(event(2 ** 53 - 1, { metadata: '{"k":"v","ü":"😀"}', id: "ïd" }), 1);
    expect(writer.count).toBe(4);
    const records = readAll(writer.take());
    expect(records).toEqual([
      expect.objectContaining({
        subscription: 7,
        offset: 1,
        id: "id-1",
        mimetype: "application/json",
        deliveryCount: 1,
      }),
      expect.objectContaining({ offset: 2, mimetype: "text/plain; charset=utf-8", deliveryCount: 2 }),
      expect.objectContaining({
        offset: 3,
        mimetype: "application/octet-stream",
        typeName: "t.ü",
        typeVersion: 2 ** 40,
        metadata: undefined,
        deliveryCount: 3,
      }),
      expect.objectContaining({
        offset: 2 ** 53 - 1,
        id: "ïd",
        mimetype: "application/json",
        typeName: undefined,
        metadata: '{"k":"v","ü":"😀"}',
        createdAt: 1_790_000_000_000 + 2 ** 53 - 1,
      }),
    ]);
    expect(records[0]?.payload).toEqual(Buffer.from('{"offset":1}'));
    expect(records[1]?.payload).toEqual(Buffer.from(text, "utf8"));
    expect(records[2]?.payload).toEqual(bytes);
  });

  it("start empty again after take, so one writer serves a subscription for its whole life", () => {
    const writer = new DeliveryFrameWriter(1);
    writer.add(event(1), 1);
    const first = writer.take();
    writer.add(event(2, { mimetype: "text/plain", data: "two" }), 1);
    const second = writer.take();
    expect(readAll(first).map((record) => record.offset)).toEqual([1]);
    expect(readAll(second)).toEqual([expect.objectContaining({ offset: 2, mimetype: "text/plain" })]);
    expect(writer.take().length).toBe(12);
  });

  it("grow past their working buffer for many records and for one large payload", () => {
    const writer = new DeliveryFrameWriter(2);
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    for (let offset = 1; offset <= 2000; offset++) writer.add(event(offset), 1);
    writer.add(event(2001, { data: big, mimetype: "application/octet-stream" }), 1);
    writer.add(event(2002, { data: "é".repeat(100_000) }), 1);
    const frame = writer.take();
    const records = readAll(frame);
    expect(records.map((record) => record.offset)).toEqual(Array.from({ length: 2002 }, (_, i) => i + 1));
    expect(records[1999]?.payload).toEqual(Buffer.from('{"offset":2000}'));
    expect(records[2000]?.payload).toEqual(big);
    expect(records[2001]?.payload).toEqual(Buffer.from("é".repeat(100_000)));
    writer.add(event(1), 1);
    expect(readAll(writer.take())).toHaveLength(1);
  });

  it("are refused when truncated, padded or of another kind", () => {
    const writer = new DeliveryFrameWriter(1);
    writer.add(event(1), 1);
    writer.add(event(2), 1);
    const frame = writer.take();
    expect(() => readAll(frame.subarray(0, frame.length - 3))).toThrow(MalformedDeliveryFrame);
    expect(() => readAll(Buffer.concat([frame, Buffer.from([0])]))).toThrow(/after the last record/);
    expect(() => new DeliveryFrameReader(Buffer.from('{"t":"msg"}'))).toThrow(MalformedDeliveryFrame);
    const lying = Buffer.from(frame);
    lying.writeUInt32LE(0xffff_ffff, 12 + 21);
    expect(() => readAll(lying)).toThrow(/truncated/);
  });
});
