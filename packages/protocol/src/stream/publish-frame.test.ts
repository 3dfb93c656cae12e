import { describe, expect, it } from "vitest";

import { MalformedPublishFrame, PublishFrameReader, PublishFrameWriter } from "./publish-frame.js";
import type { PublishableEvent } from "./publish-frame.js";

const event = (n: number, extra: Partial<PublishableEvent> = {}): PublishableEvent => ({
  id: `id-${n}`,
  text: JSON.stringify({ n }),
  data: Buffer.alloc(0),
  mimetype: "application/json",
  typeName: undefined,
  typeVersion: undefined,
  metadata: undefined,
  idempotencyKey: undefined,
  ...extra,
});

function readAll(frame: Buffer): { requestId: number; topic: string; records: Record<string, unknown>[] } {
  const reader = new PublishFrameReader(frame);
  const records: Record<string, unknown>[] = [];
  while (reader.next())
    records.push({
      id: reader.id,
      mimetype: reader.mimetype,
      typeName: reader.typeName,
      typeVersion: reader.typeVersion,
      metadata: reader.metadata,
      idempotencyKey: reader.idempotencyKey,
      text: reader.text,
      payload: Buffer.from(frame.subarray(reader.payloadStart, reader.payloadEnd)),
    });
  return { requestId: reader.requestId, topic: reader.topic, records };
}

describe("publish frames", () => {
  it("carry the request id, the topic, every field and the payload bytes exactly", () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const text = 'naïve 😀 "quoted" \\ \u0000 end';
    const writer = new PublishFrameWriter("topic.ü");
    writer.add(event(1));
    writer.add(event(2, { text, mimetype: "text/plain; charset=utf-8", idempotencyKey: "key:2" }));
    writer.add(
      event(3, {
        text: undefined,
        data: bytes,
        mimetype: "application/octet-stream",
        typeName: "t.ü",
        typeVersion: 2 ** 40,
      }),
    );
    writer.add(event(4, { metadata: { k: "v", ü: "😀" }, id: "ïd" }));
    writer.add(event(5, { text: undefined, data: new Uint8Array(0) }));
    expect(writer.count).toBe(5);
    const frame = writer.finish(2 ** 32 - 1);
    expect(frame.length).toBe(writer.byteLength);
    const { requestId, topic, records } = readAll(frame);
    expect(requestId).toBe(2 ** 32 - 1);
    expect(topic).toBe("topic.ü");
    expect(records).toEqual([
      expect.objectContaining({
        id: "id-1",
        mimetype: "application/json",
        text: true,
        idempotencyKey: undefined,
      }),
      expect.objectContaining({ mimetype: "text/plain; charset=utf-8", idempotencyKey: "key:2", text: true }),
      expect.objectContaining({
        mimetype: "application/octet-stream",
        typeName: "t.ü",
        typeVersion: 2 ** 40,
        metadata: undefined,
        text: false,
      }),
      expect.objectContaining({
        id: "ïd",
        mimetype: "application/json",
        typeName: undefined,
        typeVersion: undefined,
        metadata: '{"k":"v","ü":"😀"}',
      }),
      expect.objectContaining({ id: "id-5", text: false }),
    ]);
    expect(records.map((record) => record.payload)).toEqual([
      Buffer.from('{"n":1}'),
      Buffer.from(text, "utf8"),
      bytes,
      Buffer.from('{"n":4}'),
      Buffer.alloc(0),
    ]);
  });

  it("grow past their working buffer for many records and for one large payload", () => {
    const writer = new PublishFrameWriter("t");
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    for (let n = 1; n <= 2000; n++) writer.add(event(n));
    writer.add(event(2001, { text: undefined, data: big, mimetype: "application/octet-stream" }));
    writer.add(event(2002, { text: "é".repeat(100_000) }));
    const { records } = readAll(writer.finish(1));
    expect(records).toHaveLength(2002);
    expect(records[1999]?.payload).toEqual(Buffer.from('{"n":2000}'));
    expect(records[2000]?.payload).toEqual(big);
    expect(records[2001]?.payload).toEqual(Buffer.from("é".repeat(100_000)));
  });

  it("are refused when truncated, padded, of another kind or with a topic longer than the frame", () => {
    const writer = new PublishFrameWriter("t");
    writer.add(event(1));
    writer.add(event(2));
    const frame = writer.finish(1);
    expect(() => readAll(frame.subarray(0, frame.length - 3))).toThrow(MalformedPublishFrame);
    expect(() => readAll(Buffer.concat([frame, Buffer.from([0])]))).toThrow(/after the last record/);
    expect(() => new PublishFrameReader(Buffer.from('{"t":"pub"}'))).toThrow(/not a publish frame/);
    const longTopic = Buffer.from(frame);
    longTopic.writeUInt16LE(0xffff, 2);
    expect(() => new PublishFrameReader(longTopic)).toThrow(/truncated header/);
    const lying = Buffer.from(frame);
    lying.writeUInt32LE(0xffff_ffff, 12 + 1 + 1);
    expect(() => readAll(lying)).toThrow(/truncated/);
    const sameMimetypeFirst = Buffer.from(frame);
    sameMimetypeFirst[12 + 1] = 1;
    expect(() => readAll(sameMimetypeFirst)).toThrow(/without a mimetype/);
  });
});
