import { randomUUID } from "node:crypto";

import { feedbackTopic } from "@weir/protocol";
import type { FeedbackEvent, LabelsAnswer, ModelLabel } from "@weir/protocol";
import { DEFAULT_MAX_EVENT_BYTES, eventSize } from "@weir/protocol/stream";

import { WeirHttpError } from "../errors.js";
import type { EventLog, PublishResult } from "../event-log/event-log.js";
import { EventLogError } from "../event-log/event-log-error.js";
import type { NewEvent } from "../event-log/event-store.js";
import type { Storage } from "../storage/database.js";
import { getModel } from "../storage/model-repository.js";
import { findPredictions, recordLabel } from "../storage/prediction-repository.js";
import type { PredictionRow } from "../storage/prediction-repository.js";
import { modelNotFound } from "./model-server.js";
import type { ModelStatsBook } from "./model-stats.js";
import type { PredictionLog } from "./prediction-log.js";

const MIMETYPE = "application/json";

/** `"…", "…" and 3 more`: how a message names ids. */
function listIds(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).join(", ");
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}

function toEvent(row: PredictionRow, label: ModelLabel, labelledAt: number): FeedbackEvent {
  const probabilities: Record<string, number> = {};
  for (const [cls, p] of JSON.parse(row.probabilities) as [ModelLabel, number][])
    probabilities[String(cls)] = p;
  return {
    id: row.id,
    model: row.name,
    version: row.version,
    input: JSON.parse(row.input) as FeedbackEvent["input"],
    prediction: JSON.parse(row.label) as ModelLabel | null,
    probabilities,
    label,
    predictedAt: new Date(row.created_at).toISOString(),
    labelledAt: new Date(labelledAt).toISOString(),
  };
}

function toNewEvent(event: FeedbackEvent): NewEvent {
  const data = JSON.stringify(event);
  const size = eventSize(Buffer.byteLength(data), MIMETYPE, "weir.feedback", undefined);
  if (size > DEFAULT_MAX_EVENT_BYTES)
    throw new WeirHttpError(
      413,
      "WEIR_BODY_TOO_LARGE",
      `The feedback event of prediction ${event.id} would be ${size} bytes, more than the event log takes (${DEFAULT_MAX_EVENT_BYTES}).`,
    );
  return {
    id: randomUUID(),
    data,
    mimetype: MIMETYPE,
    typeName: "weir.feedback",
    typeVersion: 1,
    metadata: null,
    idempotencyKey: event.id,
    size,
  };
}

/**
 * Late labels: joins each label with its stored prediction and publishes `{ input, prediction,
 * label, … }` to `<model>.feedback` in the embedded event log with the prediction id as
 * idempotency key, so a label posted twice is in the topic once. The label is also recorded on the
 * prediction (the first one wins, like the topic) for the live accuracy.
 */
export class FeedbackService {
  constructor(
    private readonly storage: Storage,
    private readonly log: EventLog,
    private readonly predictions: PredictionLog,
    private readonly stats: ModelStatsBook,
    private readonly retentionMs: number,
  ) {}

  /** Publishes the labels; a 404 naming the unknown (or expired) ids publishes none of them. */
  async label(name: string, labels: readonly { id: string; label: ModelLabel }[]): Promise<LabelsAnswer> {
    const ids = labels.map((l) => l.id);
    await this.predictions.persisted(ids);
    const now = Date.now();
    const rows = new Map(
      (await findPredictions(this.storage.db, name, ids, now - this.retentionMs)).map((r) => [r.id, r]),
    );
    const unknown = [...new Set(ids.filter((id) => !rows.has(id)))];
    if (unknown.length > 0) {
      if ((await getModel(this.storage.db, name)) === undefined) throw modelNotFound(name);
      throw new WeirHttpError(
        404,
        "WEIR_NOT_FOUND",
        `No prediction of model "${name}" with id ${listIds(unknown)} in the last ${Math.round(this.retentionMs / 60_000)} minutes (the retention window): send the id a predict call answered, within the window. Nothing of this call was published.`,
        { details: { unknownIds: unknown } },
      );
    }
    const events = labels.map((l) => toEvent(rows.get(l.id) as PredictionRow, l.label, now));
    const result = await this.#publish(feedbackTopic(name), events.map(toNewEvent));
    let fresh = 0;
    let correct = 0;
    const results = events.map((event, index) => {
      const duplicate = result.duplicates?.[String(index)] !== undefined;
      if (!duplicate) {
        fresh++;
        if (JSON.stringify(event.label) === JSON.stringify(event.prediction)) correct++;
      }
      return { id: event.id, duplicate, offset: result.offsets[index] as number };
    });
    await this.storage.db.transaction().execute(async (trx) => {
      for (const event of events) await recordLabel(trx, event.id, JSON.stringify(event.label), now);
    });
    this.stats.recordLabels(name, fresh, correct, now);
    return { duplicate: fresh === 0, results };
  }

  #publish(topicName: string, events: NewEvent[]): Promise<PublishResult> {
    // Created on demand; `ifMissing` makes a concurrent creation harmless.
    this.log.createTopic(topicName, {}, true);
    const topic = this.log.topic(topicName);
    return new Promise((resolve, reject) => {
      this.log.publish(topic, events, (result) => {
        if (result instanceof EventLogError)
          reject(new WeirHttpError(503, "WEIR_UNAVAILABLE", result.message, { cause: result }));
        else resolve(result);
      });
    });
  }
}
